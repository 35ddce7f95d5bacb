"""API v2: articles per language, the public JSON shape of every block, and errors as JSON."""

import datetime
from http import HTTPStatus

import pytest
from django.core.cache import cache

from news.blocks import FIGURE_RENDITION
from news.models import CARD_RENDITION, LEAD_RENDITION, ArticleAuthor
from tests.conftest import translate_page
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    callout_block,
    embed_block,
    full_article,
    image_block,
    list_block,
    paragraph,
    quote_block,
    reference,
    rich_body,
    section,
)

PAGES = "/api/v2/pages/"
ARTICLES = {"type": "news.ArticlePage", "fields": "*"}


def at(day, hour=9):
    return datetime.datetime(2025, 6, day, hour, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def empty_cache():
    # Site root paths and renditions are cached; a previous test's entries must not leak in.
    cache.clear()


@pytest.fixture
def lead_image(db):
    return ImageFactory(
        title="Landing site",
        description="The lander on the crater rim",
        file__width=1600,
        file__height=900,
    )


@pytest.fixture
def article(index, category, lead_image, locales):
    """A live Japanese article with everything the API exposes."""
    return full_article(
        index,
        author=AuthorFactory(name="山田花子", slug="hanako", role="記者", locale=locales["ja"]),
        title="月面着陸に成功",
        slug="moon-landing",
        subtitle="探査機が着陸",
        summary="探査機が月面に着陸した。",
        display_date=at(20),
        category=category,
        lead_image=lead_image,
        lead_image_caption="着陸地点",
        lead_image_credit="JAXA",
        body=rich_body(3),
        references=[reference(1, "phys.org"), reference(2, "apnews.com")],
    )


@pytest.fixture
def english_article(article, english_tree, category, locales):
    """The article's published English translation, with the English category and author."""
    en_category = category.copy_for_translation(locales["en"])
    en_category.name = "Space"
    en_category.save()
    en_author = article.authors[0].copy_for_translation(locales["en"])
    en_author.name, en_author.role = "Hanako Yamada", "Reporter"
    en_author.save()
    # copy_for_translation keeps foreign keys pointing at the Japanese snippets.
    page = translate_page(
        article,
        locales["en"],
        title="Moon landing succeeds",
        slug="moon-landing",
        summary="The probe landed on the Moon.",
        category=en_category,
    )
    ArticleAuthor.objects.filter(page=page).update(author=en_author)
    return page


def get_json(client, url, params=None, **headers):
    response = client.get(url, params or {}, **headers)
    # Errors are problems, with v2's message beside detail (api.problems).
    expected = "application/json" if response.status_code < 400 else "application/problem+json"
    assert response["Content-Type"] == expected, response.content
    return response.status_code, response.json()


def v2_problem(status, message):
    """A v2 error as clients read it: a problem that also carries ``message``."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "message": message,
    }


# ---------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------


def test_listing_holds_only_live_articles_of_the_requested_language(
    client, article, english_article, index
):
    older = ArticlePageFactory(parent=index, display_date=at(18))
    newer = ArticlePageFactory(parent=index, display_date=at(22))
    ArticlePageFactory(parent=index, display_date=at(23), live=False)

    status, data = get_json(client, PAGES, {**ARTICLES, "locale": "ja", "order": "-display_date"})

    assert status == 200
    assert data["meta"] == {"total_count": 3}
    assert [item["id"] for item in data["items"]] == [newer.pk, article.pk, older.pk]
    assert {item["meta"]["locale"] for item in data["items"]} == {"ja"}

    _, english = get_json(client, PAGES, {**ARTICLES, "locale": "en"})
    assert [item["id"] for item in english["items"]] == [english_article.pk]


def test_listing_orders_by_display_date_both_ways(client, article, index):
    older = ArticlePageFactory(parent=index, display_date=at(18))
    params = {**ARTICLES, "locale": "ja"}

    _, newest_first = get_json(client, PAGES, {**params, "order": "-display_date"})
    _, oldest_first = get_json(client, PAGES, {**params, "order": "display_date"})

    assert [item["id"] for item in newest_first["items"]] == [article.pk, older.pk]
    assert [item["id"] for item in oldest_first["items"]] == [older.pk, article.pk]


def test_listing_item_carries_every_article_field(client, article, category, lead_image):
    _, data = get_json(client, PAGES, {**ARTICLES, "locale": "ja"})

    [item] = data["items"]
    author = article.authors[0]
    lead = lead_image.get_rendition(LEAD_RENDITION)
    card = lead_image.get_rendition(CARD_RENDITION)
    body, references = item.pop("body"), item.pop("references")
    renditions = item.pop("lead_image_renditions")
    assert renditions["id"] == lead_image.pk
    assert renditions["alt"] == "The lander on the crater rim"
    assert [(r["width"], r["height"]) for r in renditions["renditions"]] == [
        (480, 270),
        (800, 450),
        (1200, 675),
        (1600, 900),
    ]
    assert item == {
        "id": article.pk,
        "meta": {
            "type": "news.ArticlePage",
            "detail_url": f"http://testserver/api/v2/pages/{article.pk}/",
            "html_url": "http://testserver/ja/articles/moon-landing/",
            "slug": "moon-landing",
            "show_in_menus": False,
            "seo_title": "",
            "search_description": "",
            "first_published_at": None,
            "alias_of": None,
            "locale": "ja",
        },
        "title": "月面着陸に成功",
        "alternates": {
            "ja": {
                "id": article.pk,
                "html_url": "http://testserver/ja/articles/moon-landing/",
                "api_v2_url": f"http://testserver/api/v2/pages/{article.pk}/",
                "api_v3_url": f"http://testserver/api/v3/pages/{article.pk}/",
            }
        },
        "subtitle": "探査機が着陸",
        "summary": "探査機が月面に着陸した。",
        "display_date": "2025-06-20T18:00:00+09:00",
        "updated_date": None,
        "featured": False,
        "category": {"id": category.pk, "name": "宇宙", "slug": "space"},
        "authors": [{"id": author.pk, "name": "山田花子", "slug": "hanako", "role": "記者"}],
        "tag_names": ["moon"],
        # The image's id, which a v3 write takes as lead_image_id (api/v3/bodies.py).
        "lead_image": {
            "id": lead_image.pk,
            "meta": {
                "type": "wagtailimages.Image",
                "detail_url": f"http://testserver/api/v2/images/{lead_image.pk}/",
                "download_url": lead_image.file.url,
            },
            "title": lead_image.title,
        },
        "lead_image_caption": "着陸地点",
        "lead_image_credit": "JAXA",
        "lead_image_rendition": {
            "url": lead.url,
            "full_url": f"http://testserver{lead.url}",
            "width": 1200,
            "height": 675,
            "alt": "The lander on the crater rim",
        },
        "lead_image_thumbnail": {
            "url": card.url,
            "full_url": f"http://testserver{card.url}",
            "width": 640,
            "height": 360,
            "alt": "The lander on the crater rim",
        },
        "corrections": [],
    }
    assert lead.url.endswith(".webp")
    stored = list(article.body.raw_data)
    assert [(block["type"], block["id"]) for block in body] == [
        ("section", block["id"]) for block in stored
    ]
    assert [
        (block["value"]["number"], block["value"]["heading"], len(block["value"]["content"]))
        for block in body
    ] == [(1, "Heading 1", 4), (2, "Heading 2", 4), (3, "Heading 3", 4)]
    assert references == [
        {
            "type": "reference",
            "value": {
                "title": f"Source number {n}",
                "publisher": f"Publisher {n}",
                "url": f"https://www.{domain}/news/{n}",
                "published": "2025-06-20",
                "domain": domain,
                "number": n,
            },
            "id": article.references.raw_data[n - 1]["id"],
        }
        for n, domain in [(1, "phys.org"), (2, "apnews.com")]
    ]


def test_english_listing_holds_the_translation_with_english_snippets(
    client, article, english_article
):
    _, data = get_json(client, PAGES, {**ARTICLES, "locale": "en"})

    [item] = data["items"]
    en_category = english_article.category
    en_author = english_article.authors[0]
    assert item["id"] == english_article.pk
    assert item["meta"]["locale"] == "en"
    assert item["meta"]["html_url"] == "http://testserver/en/articles/moon-landing/"
    assert item["title"] == "Moon landing succeeds"
    assert item["category"] == {"id": en_category.pk, "name": "Space", "slug": "space"}
    assert item["authors"] == [
        {"id": en_author.pk, "name": "Hanako Yamada", "slug": "hanako", "role": "Reporter"}
    ]
    assert en_category.pk != article.category_id
    # Synchronised fields are the same in both languages.
    _, ja = get_json(client, PAGES, {**ARTICLES, "locale": "ja"})
    for field in ("display_date", "tag_names", "lead_image_rendition", "references"):
        assert item[field] == ja["items"][0][field], field


# ---------------------------------------------------------------------------
# Detail and blocks
# ---------------------------------------------------------------------------


def test_detail_has_the_listing_fields_and_the_parent(client, article, index):
    _, listing = get_json(client, PAGES, {**ARTICLES, "locale": "ja"})
    status, detail = get_json(client, f"{PAGES}{article.pk}/")

    assert status == 200
    listed = listing["items"][0]
    assert detail["meta"].pop("parent") == {
        "id": index.pk,
        "meta": {
            "type": "news.ArticleIndexPage",
            "detail_url": f"http://testserver/api/v2/pages/{index.pk}/",
            "html_url": "http://testserver/ja/articles/",
        },
        "title": "All Articles",
    }
    assert detail == listed


@pytest.mark.parametrize("fmt", ["api", "html", "", "JSON"])
def test_a_format_other_than_json_is_a_400(client, article, fmt):
    response = client.get(f"{PAGES}{article.pk}/", {"format": fmt})

    assert response.status_code == 400
    assert response.json()["detail"] == "format must be json: this API answers in JSON only."


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("accept", [BROWSER, "application/json; indent=4", "*/*"])
def test_every_caller_gets_the_same_json(client, article, accept):
    # One answer per URL: it is kept (api.kept) and cached by CDNs by its URL.
    plain = client.get(f"{PAGES}{article.pk}/")

    response = client.get(f"{PAGES}{article.pk}/", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == plain.content


@pytest.mark.parametrize("path", ["pages/{article}/", "pages/", "categories/", "images/"])
def test_a_caller_that_accepts_only_html_gets_a_406_problem(client, article, path):
    response = client.get("/api/v2/" + path.format(article=article.pk), HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "This API answers in JSON only: accept application/json."


def test_draft_article_has_no_detail(client, index):
    draft = ArticlePageFactory(parent=index, live=False)

    status, data = get_json(client, f"{PAGES}{draft.pk}/")

    assert status == 404
    assert data == v2_problem(404, "No Page matches the given query.")


def test_every_block_has_its_public_json_shape(client, index):
    image = ImageFactory(title="Crater", file__width=1600, file__height=1200)
    content = [
        paragraph("Touchdown at <b>00:20</b>.", sources=[1, 2]),
        list_block("numbered", items=("Descent", "Landing"), sources=[2], children=("Hover",)),
        quote_block("We made it.", "Mission team", sources=[1]),
        image_block(image, alt="The lander's shadow", caption="Crater floor", credit="JAXA"),
        embed_block("https://www.youtube.com/watch?v=M7lc1UVf-VE", "The launch"),
        callout_block("warning", "Note", "Times are approximate."),
    ]
    page = ArticlePageFactory(parent=index, body=[section("Landing", content), section("After")])

    _, data = get_json(client, f"{PAGES}{page.pk}/")

    figure = image.get_rendition(FIGURE_RENDITION)
    widths = [(480, 360), (800, 600), (1200, 900), (1600, 1200)]
    renditions = [
        {
            "url": "http://testserver" + image.get_rendition(f"width-{w}|format-webp").url,
            "width": w,
            "height": h,
        }
        for w, h in widths
    ]
    phys = {"number": 1, "title": "Source number 1", "url": "https://www.phys.org/news/1"}
    ap = {"number": 2, "title": "Source number 2", "url": "https://www.apnews.com/news/2"}
    phys["domain"], ap["domain"] = "phys.org", "apnews.com"
    first, second = data["body"]
    assert first["type"] == "section"
    assert first["value"]["heading"] == "Landing"
    assert first["value"]["number"] == 1
    assert second["value"]["number"] == 2
    assert [block["id"] for block in first["value"]["content"]] == [b["id"] for b in content]
    assert [(block["type"], block["value"]) for block in first["value"]["content"]] == [
        (
            "paragraph",
            {
                "text": "<p>Touchdown at <b>00:20</b>.</p>",
                "sources": [1, 2],
                "citations": [phys, ap],
            },
        ),
        (
            "list",
            {
                "style": "numbered",
                "items": [
                    {
                        "text": "<p>Descent</p>",
                        "sources": [2],
                        "children": [{"text": "<p>Hover</p>", "sources": [], "citations": []}],
                        "citations": [ap],
                    },
                    {"text": "<p>Landing</p>", "sources": [2], "children": [], "citations": [ap]},
                ],
            },
        ),
        (
            "quote",
            {
                "text": "We made it.",
                "attribution": "Mission team",
                "sources": [1],
                "citations": [phys],
            },
        ),
        (
            "image",
            {
                "image": image.pk,
                "alt_text": "The lander's shadow",
                "decorative": False,
                "caption": "Crater floor",
                "credit": "JAXA",
                "rendition": {
                    "url": figure.url,
                    "full_url": figure.full_url,
                    "width": 1200,
                    "height": 900,
                    "alt": "The lander's shadow",
                },
                "renditions": renditions,
                "srcset": ", ".join(f"{r['url']} {r['width']}w" for r in renditions),
            },
        ),
        ("embed", {"url": "https://www.youtube.com/watch?v=M7lc1UVf-VE", "caption": "The launch"}),
        ("callout", {"tone": "warning", "title": "Note", "text": "<p>Times are approximate.</p>"}),
    ]
    assert figure.full_url == f"http://testserver{figure.url}"


def test_decorative_image_has_empty_alt_text(client, index):
    """A decorative image must reach the frontend with ``alt=""`` so screen readers skip it."""
    image = ImageFactory(title="Crater", description="A crater")
    block = image_block(image, alt="", caption="", credit="")
    block["value"]["image"]["decorative"] = True
    page = ArticlePageFactory(parent=index, body=[section("Landing", [block])])

    _, data = get_json(client, f"{PAGES}{page.pk}/")

    value = data["body"][0]["value"]["content"][0]["value"]
    assert value["decorative"] is True
    assert value["alt_text"] == ""
    assert value["rendition"]["alt"] == ""


def test_internal_page_link_is_a_real_href(client, index):
    text = f'See <a linktype="page" id="{index.pk}">all articles</a>.'
    page = ArticlePageFactory(parent=index, body=[section("Links", [paragraph(text)])])

    _, data = get_json(client, f"{PAGES}{page.pk}/")

    html = data["body"][0]["value"]["content"][0]["value"]["text"]
    assert html == '<p>See <a href="/ja/articles/">all articles</a>.</p>'


@pytest.mark.parametrize(
    ("page_language", "reader_language", "href"),
    [("ja", "en", "/ja/articles/"), ("en", "ja", "/en/articles/")],
)
def test_internal_links_follow_the_articles_language_not_the_readers(
    client, index, english_tree, locales, page_language, reader_language, href
):
    """The same URL must give the same JSON whatever the client's Accept-Language."""
    text = f'<a linktype="page" id="{index.pk}">all articles</a>'
    page = ArticlePageFactory(parent=index, body=[section("Links", [paragraph(text)])])
    if page_language == "en":
        page = translate_page(page, locales["en"])

    _, data = get_json(client, f"{PAGES}{page.pk}/", HTTP_ACCEPT_LANGUAGE=reader_language)

    html = data["body"][0]["value"]["content"][0]["value"]["text"]
    assert html == f'<p><a href="{href}">all articles</a></p>'


# ---------------------------------------------------------------------------
# Errors: always JSON, never an HTML page or a language redirect
# ---------------------------------------------------------------------------


def test_unknown_page_is_a_json_404(client, db):
    status, data = get_json(client, f"{PAGES}999999/")

    assert status == 404
    assert data == v2_problem(404, "No Page matches the given query.")


@pytest.mark.parametrize(
    "path", ["/api/nope/", "/api/v2/nope/", "/api/v2/pages/x/y/", "/api/v3/nope/"]
)
@pytest.mark.parametrize("accept_language", ["", "en", "ja"])
def test_unknown_api_path_is_a_json_404_without_language_redirect(
    client, db, path, accept_language
):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 404
    assert "Location" not in response
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if path.startswith("/api/v3/"):
        assert body == {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "Not found: no API endpoint at this path.",
        }
    else:
        assert body == v2_problem(404, "Not found: no API endpoint at this path.")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"foo": "1"}, "Unknown query parameter: foo"),
        ({"type": "nope.Nope"}, "type doesn't exist"),
        ({"limit": "abc"}, "limit must be a positive integer"),
        ({"limit": "1000"}, "limit cannot be higher than 100"),
        ({"offset": "-1"}, "offset must be a positive integer"),
        ({"type": "news.ArticlePage", "order": "nope"}, "cannot order by 'nope' (unknown field)"),
    ],
)
def test_bad_query_parameter_is_a_json_400(client, db, params, message):
    status, data = get_json(client, PAGES, params)

    assert status == 400
    assert data == v2_problem(400, message)


def test_unknown_locale_is_a_json_404(client, db):
    status, data = get_json(client, PAGES, {"locale": "xx"})

    assert status == 404
    assert data == v2_problem(
        404,
        "locale names no language of this site: 'xx' "
        "(its languages: ja, en, zh-hans, es, fr, ko, de, th, hi).",
    )
