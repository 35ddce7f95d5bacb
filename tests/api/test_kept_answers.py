"""Anonymous API reads kept whole (api.kept): the second read is not built again, and the next
read after any change of what the answer shows is fresh. An answer built all the same (a
token holder's, another URL's, kept answers off) is made from kept parts (api.parts): the
page as read and its StreamFields' representations, as fresh as the kept answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import APIToken, PageViewRestriction, Site

from home.models import HomePage
from news.models import LEAD_RENDITION, ArticlePage
from tests.conftest import translate_page
from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    StandardPageFactory,
    add_author,
    paragraph,
    section,
)

LANGUAGES = ["ja", "th"]
# Every endpoint whose anonymous answers are kept, by what it reads.
DETAIL_URLS = [
    "/api/v2/pages/{id}/",
    "/api/v2/pages/{id}/?fields=*",
    "/api/v3/pages/{id}/",
    "/api/v3/articles/{id}/",
]
LIST_URLS = [
    "/api/v3/articles/?locale={language}",
    "/api/v3/articles/?locale={language}&q=Moon",
    "/api/v3/articles/autocomplete/?locale={language}&q=Moon",
]


@pytest.fixture
def site(home, index, locales):
    """An article with a category, an author and a lead image in Japanese and Thai, under each
    language's All Articles."""
    image = ImageFactory(title="Crater")
    pages = {}
    for code in LANGUAGES:
        if code == "ja":
            code_index = index
        else:
            translate_page(home, locales[code], title=f"Home {code}")
            code_index = translate_page(index, locales[code], title=f"All Articles {code}")
        pages[code] = {
            "index": code_index,
            "category": CategoryFactory(name=f"Space {code}", slug="space", locale=locales[code]),
            "author": AuthorFactory(name=f"Writer {code}", locale=locales[code]),
        }
    article = ArticlePageFactory(
        parent=index,
        title="Moon ja",
        slug="moon",
        category=pages["ja"]["category"],
        lead_image=image,
    )
    add_author(article, pages["ja"]["author"])
    pages["ja"]["article"] = article
    th_article = translate_page(
        article, locales["th"], title="Moon th", category=pages["th"]["category"]
    )
    th_article.article_authors.all().delete()
    add_author(th_article, pages["th"]["author"])
    th_article.save_revision().publish()
    pages["th"]["article"] = ArticlePage.objects.get(pk=th_article.pk)
    pages["image"] = image
    return pages


def urls_of(pages, language):
    article = pages[language]["article"]
    return [url.format(id=article.pk) for url in DETAIL_URLS] + [
        url.format(language=language) for url in LIST_URLS
    ]


HEADER = "X-API-Cache"


def kept(client, url):
    """The JSON of ``url``, read twice: the second answer is the kept first one."""
    first = client.get(url)
    assert first.status_code == 200, (url, first.content[:300])
    assert first[HEADER] == "miss", url
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second[HEADER] == "hit", url
    assert second.content == first.content, url
    assert len(queries.captured_queries) <= 1, url  # at most the content clock's
    return second.json()


def fresh(client, url):
    """The JSON of ``url`` built again after a change, and kept again."""
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.content[:300])
    assert answer[HEADER] == "miss", url
    again = client.get(url)
    assert again[HEADER] == "hit" and again.content == answer.content, url
    return answer.json()


def text_of(answer):
    return str(answer)


# ---------------------------------------------------------------------------
# Kept
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_anonymous_read_is_kept_and_answered_like_the_first(client, site, language):
    for url in urls_of(site, language):
        first = client.get(url)
        second = client.get(url)
        assert (first[HEADER], second[HEADER]) == ("miss", "hit"), url
        assert second.content == first.content
        for header in ("Content-Type", "ETag", "Cache-Control", "Vary", "Last-Modified"):
            assert second.get(header) == first.get(header), (url, header)


def test_a_kept_answer_still_answers_conditional_requests(client, site):
    url = f"/api/v3/pages/{site['ja']['article'].pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url)["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_order_of_parameters_does_not_matter_but_each_value_does(client, site):
    article = site["ja"]["article"]
    first = kept(client, f"/api/v2/pages/{article.pk}/?fields=title&rich_text_format=html")
    same = client.get(f"/api/v2/pages/{article.pk}/?rich_text_format=html&fields=title")
    assert same[HEADER] == "hit"
    other = client.get(f"/api/v2/pages/{article.pk}/?fields=-summary&rich_text_format=html")
    assert other[HEADER] == "miss"
    assert "summary" in first and "summary" not in other.json()


def test_each_host_gets_its_own_answer(client, site, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    url = f"/api/v3/pages/{site['ja']['article'].pk}/"
    kept(client, url)
    other = client.get(url, HTTP_HOST="other.example")
    assert other.status_code == 200 and other[HEADER] == "miss"


# ---------------------------------------------------------------------------
# Fresh after every change the answer shows, in two languages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_republished_article_is_fresh_everywhere(client, site, language):
    urls = urls_of(site, language)
    for url in urls:
        kept(client, url)
    article = site[language]["article"]
    article.title = f"Moon landing {language}"
    article.save_revision().publish()
    for url in urls:
        assert f"Moon landing {language}" in text_of(fresh(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unpublished_or_restricted_article_is_gone(client, site, language):
    article = site[language]["article"]
    detail = f"/api/v3/pages/{article.pk}/"
    cards = f"/api/v3/articles/?locale={language}"
    kept(client, detail)
    kept(client, cards)

    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    assert client.get(detail).status_code == 404
    assert fresh(client, cards)["items"] == []

    PageViewRestriction.objects.filter(page=article).delete()
    assert client.get(detail).status_code == 200
    article.refresh_from_db()
    article.unpublish()
    assert client.get(detail).status_code == 404
    assert fresh(client, cards)["items"] == []


@pytest.mark.parametrize("language", ["th", "hi"])
def test_a_new_translation_shows_in_every_translations_answer(client, site, language, locales):
    ja = site["ja"]["article"]
    urls = [f"/api/v2/pages/{ja.pk}/?fields=alternates", f"/api/v3/pages/{ja.pk}/"]
    for url in urls:
        kept(client, url)
    if language == "th":
        th = site["th"]["article"]
        th.slug = "moon-th"
        th.save_revision().publish()
        marker = "/th/articles/moon-th/"
    else:
        translate_page(ja, locales["hi"], title="Moon hi")
        marker = "/hi/articles/moon/"
    for url in urls:
        assert marker in text_of(fresh(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("snippet", ["category", "author"])
def test_a_renamed_category_or_author_is_fresh(client, site, language, snippet):
    urls = urls_of(site, language)[:-1]  # autocomplete shows neither
    for url in urls:
        kept(client, url)
    renamed = site[language][snippet]
    renamed.name = f"Renamed {snippet} {language}"
    renamed.save()
    for url in urls:
        assert f"Renamed {snippet} {language}" in text_of(fresh(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_edited_image_is_fresh(client, site, language):
    article = site[language]["article"]
    urls = [f"/api/v3/pages/{article.pk}/", f"/api/v3/articles/?locale={language}"]
    for url in urls:
        kept(client, url)
    image = site["image"]
    image.title = "Crater at dawn"
    image.save()
    cards = fresh(client, urls[1])
    assert cards["items"][0]["lead_image_thumbnail"]["alt"] == "Crater at dawn"
    assert "Crater at dawn" in text_of(fresh(client, urls[0]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_article_joins_the_cards_of_its_language_only(client, site, language):
    other = "th" if language == "ja" else "ja"
    mine, theirs = (f"/api/v3/articles/?locale={code}" for code in (language, other))
    kept(client, mine)
    kept(client, theirs)
    ArticlePageFactory(parent=site[language]["index"], title=f"Moon second {language}")
    assert len(fresh(client, mine)["items"]) == 2
    assert client.get(theirs)[HEADER] == "hit"  # nothing of that language changed


@pytest.mark.parametrize("language", LANGUAGES)
def test_new_pages_of_its_language_leave_an_articles_answers_kept(client, site, language):
    # When news breaks, articles are published every few minutes: the article of the hour
    # must not be built again for each of them.
    article = site[language]["article"]
    urls = [url.format(id=article.pk) for url in DETAIL_URLS]
    for url in urls:
        kept(client, url)
    index = site[language]["index"]
    ArticlePageFactory(parent=index, title=f"Moon second {language}", slug="moon-second")
    StandardPageFactory(parent=index.get_parent(), title=f"About {language}", slug="about")
    assert len(fresh(client, f"/api/v3/articles/?locale={language}")["items"]) == 2
    for url in urls:
        assert client.get(url)[HEADER] == "hit", url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_the_body_links_to_moves_the_link(client, site, language):
    index = site[language]["index"]
    linked = ArticlePageFactory(parent=index, title=f"Earlier {language}", slug="earlier")
    link = f'See <a linktype="page" id="{linked.pk}">the earlier story</a>.'
    article = ArticlePageFactory(
        parent=index,
        title=f"Follow-up {language}",
        slug="follow-up",
        body=[section("Background", [paragraph(link)])],
    )
    urls = [url.format(id=article.pk) for url in DETAIL_URLS]
    for url in urls:
        assert f"/{language}/articles/earlier/" in text_of(kept(client, url)), url
    linked.slug = "earlier-mission"
    linked.save_revision().publish()
    for url in urls:
        answer = text_of(fresh(client, url))
        assert f"/{language}/articles/earlier-mission/" in answer, url
        assert f"/{language}/articles/earlier/" not in answer, url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_renamed_parent_moves_every_url(client, site, language):
    article = site[language]["article"]
    urls = [
        f"/api/v2/pages/{article.pk}/",
        f"/api/v3/pages/{article.pk}/",
        f"/api/v3/articles/?locale={language}",
    ]
    for url in urls:
        kept(client, url)
    index = site[language]["index"]
    index.slug = f"news-{language}"
    index.save_revision().publish()
    for url in urls:
        assert f"/news-{language}/moon/" in text_of(fresh(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_renamed_or_restricted_ancestor_reaches_the_pages_under_it(client, site, language):
    # Plain pages: no header page, no article list, and not the answer's parent.
    home = site[language]["index"].get_parent()
    about = StandardPageFactory(parent=home, title=f"About {language}", slug="about")
    staff = StandardPageFactory(parent=about, title=f"Staff {language}", slug="staff")
    editor = StandardPageFactory(parent=staff, title=f"Editor {language}", slug="editor")
    urls = [f"/api/v2/pages/{editor.pk}/", f"/api/v3/pages/{editor.pk}/"]
    for url in urls:
        assert f"/{language}/about/staff/editor/" in text_of(kept(client, url)), url
    about.slug = "who-we-are"
    about.save_revision().publish()
    for url in urls:
        assert f"/{language}/who-we-are/staff/editor/" in text_of(fresh(client, url)), url
    PageViewRestriction.objects.create(page=about, restriction_type="password", password="x")
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_retitled_parent_shows_in_its_childrens_answers(client, site, language):
    # A page under a plain page: its parent is neither a header page nor an article list.
    home = site[language]["index"].get_parent()
    parent = StandardPageFactory(parent=home, title=f"About {language}", slug="about")
    child = StandardPageFactory(parent=parent, title=f"Staff {language}", slug="staff")
    urls = [f"/api/v2/pages/{child.pk}/", f"/api/v3/pages/{child.pk}/"]
    for url in urls:
        kept(client, url)
    parent.title = f"About us {language}"
    parent.save_revision().publish()
    for url in urls:
        assert f"About us {language}" in text_of(fresh(client, url)), url


# ---------------------------------------------------------------------------
# Never kept
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", DETAIL_URLS[:2])
def test_a_browsers_read_keeps_the_json_every_client_gets(client, site, url):
    # Django REST framework's browsable page was kept for a browser's Accept, then given to
    # every frontend.
    url = url.format(id=site["ja"]["article"].pk)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    first = client.get(url, HTTP_ACCEPT=browser)
    assert first[HEADER] == "miss"

    second = client.get(url, HTTP_ACCEPT="application/json")

    assert second[HEADER] == "hit"
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert second.json()["id"] == site["ja"]["article"].pk


def test_a_token_holders_read_is_built_every_time_and_never_kept(client, site, admin_user):
    _, plaintext = APIToken.create_token(user=admin_user, name="frontend")
    token = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    article = site["ja"]["article"]
    article.title = "Draft title"
    article.save_revision()  # a draft: only the token holder may ask for it
    url = f"/api/v3/pages/{article.pk}/"
    for _ in range(2):
        answer = client.get(url + "?version=draft", **token)
        assert answer.json()["title"] == "Draft title" and answer[HEADER] == "bypass"
        assert client.get(url, **token)[HEADER] == "bypass"
    assert client.get(url).json()["title"] == "Moon ja"
    assert "Draft title" not in client.get(url + "?version=draft").text


def test_errors_are_never_kept(client, site):
    article = ArticlePageFactory(parent=site["ja"]["index"], title="Later", live=False)
    url = f"/api/v3/pages/{article.pk}/"
    for _ in range(2):
        missing = client.get(url)
        assert missing.status_code == 404 and missing[HEADER] == "bypass"
    article.save_revision().publish()
    assert client.get(url).status_code == 200


def test_answers_whose_view_declares_nothing_are_built_every_time(client, site):
    url = "/api/v3/categories/?locale=ja"
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 200 and answer[HEADER] == "bypass"


def test_with_kept_answers_off_every_read_is_built(client, site, settings):
    settings.UKIYO_API_KEPT_ANSWERS = False
    url = f"/api/v3/pages/{site['ja']['article'].pk}/"
    for _ in range(2):
        assert client.get(url)[HEADER] == "bypass"


# ---------------------------------------------------------------------------
# Built answers, made from kept parts (api.parts)
# ---------------------------------------------------------------------------

# A detail answer built from its kept parts reads the content clock; the article in a
# language also looks up which version to show.
PARTS_QUERIES = 2


def token_of(user):
    _, plaintext = APIToken.create_token(user=user, name="frontend")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def from_parts(client, url, budget=PARTS_QUERIES, **extra):
    """The JSON of ``url``, built twice: the second time from the parts the first one kept.

    After a read that made the images' renditions (the worker makes them when a page is
    published): a new rendition makes the page as read stale (``pagecache.renditions_tag``).
    """
    assert client.get(url, **extra).status_code == 200, url
    first = client.get(url, **extra)
    assert first.status_code == 200, (url, first.content[:300])
    assert first[HEADER] == "bypass", url
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url, **extra)
    assert second[HEADER] == "bypass", url
    assert second.content == first.content, url
    assert len(queries.captured_queries) <= budget, (url, len(queries.captured_queries))
    return second.json()


def built(client, url):
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.content[:300])
    assert answer[HEADER] == "bypass", url
    return answer.json()


@pytest.fixture
def parts_only(settings):
    """Every answer built: what is kept is the parts."""
    settings.UKIYO_API_KEPT_ANSWERS = False


def detail_urls(page):
    urls = [url.format(id=page.pk) for url in DETAIL_URLS]
    return urls if isinstance(page, ArticlePage) else urls[:3]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_built_answer_is_made_from_kept_parts(client, site, parts_only, language):
    for url in detail_urls(site[language]["article"]):
        assert from_parts(client, url)["title"] == f"Moon {language}", url


def test_a_token_holders_live_read_is_made_from_kept_parts_never_a_draft(client, site, admin_user):
    token = token_of(admin_user)
    article = site["ja"]["article"]
    url = f"/api/v3/pages/{article.pk}/"
    # Also the token and its holder, and whether they may read the page.
    assert from_parts(client, url, PARTS_QUERIES + 2, **token)["title"] == "Moon ja"
    article.title = "Draft title"
    article.body = [section("Draft", [paragraph("Unpublished words.")])]
    article.save_revision()
    for _ in range(2):
        draft = client.get(url + "?version=draft", **token).json()
        assert draft["title"] == "Draft title" and "Unpublished words." in text_of(draft)
        for extra in (token, {}):
            live = client.get(url, **extra).json()
            assert live["title"] == "Moon ja" and "Unpublished words." not in text_of(live)


def test_a_restricted_page_kept_for_a_token_holder_stays_hidden_from_others(
    client, site, admin_user, parts_only
):
    article = site["ja"]["article"]
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    url = f"/api/v3/pages/{article.pk}/"
    assert from_parts(client, url, PARTS_QUERIES + 2, **token_of(admin_user))["title"] == "Moon ja"
    for url in detail_urls(article):
        assert client.get(url).status_code == 404, url


def test_a_page_kept_for_one_site_is_not_of_another(
    client, site, locales, root_page, parts_only, settings
):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    other_home = root_page.add_child(
        instance=HomePage(title="Other", slug="other", locale=locales["ja"])
    )
    elsewhere = ArticlePageFactory(parent=ArticleIndexPageFactory(parent=other_home))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    ours = site["ja"]["article"]
    for page, its_host, other_host in (
        (ours, "testserver", "other.example"),
        (elsewhere, "other.example", "testserver"),
    ):
        for url in detail_urls(page)[:3]:
            assert client.get(url, HTTP_HOST=other_host).status_code == 404, url
            assert client.get(url, HTTP_HOST=its_host).status_code == 200, url
            assert client.get(url, HTTP_HOST=other_host).status_code == 404, url
    v3 = f"/api/v3/pages/{ours.pk}/"
    assert client.get(v3, {"site": "other.example"}).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_answers_of_a_republished_article_are_fresh(client, site, parts_only, language):
    article = site[language]["article"]
    urls = detail_urls(article)
    for url in urls:
        from_parts(client, url)
    article.title = f"Moon landing {language}"
    article.body = [section("Landing", [paragraph(f"Touchdown {language}.")])]
    article.save_revision().publish()
    for url in urls:
        answer = text_of(built(client, url))
        assert f"Moon landing {language}" in answer and f"Touchdown {language}." in answer, url


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_answers_of_an_unpublished_or_restricted_article_are_gone(
    client, site, parts_only, language
):
    article = site[language]["article"]
    urls = detail_urls(article)
    for url in urls:
        from_parts(client, url)
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    for url in urls:
        assert client.get(url).status_code == 404, url
    PageViewRestriction.objects.filter(page=article).delete()
    for url in urls:
        built(client, url)
    article.refresh_from_db()
    article.unpublish()
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("snippet", ["category", "author"])
def test_built_answers_show_a_renamed_category_or_author(
    client, site, parts_only, language, snippet
):
    urls = detail_urls(site[language]["article"])
    for url in urls:
        from_parts(client, url)
    renamed = site[language][snippet]
    renamed.name = f"Renamed {snippet} {language}"
    renamed.save()
    for url in urls:
        assert f"Renamed {snippet} {language}" in text_of(built(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_answers_show_a_new_translation(client, site, parts_only, language, locales):
    ja = site["ja"]["article"]
    urls = [f"/api/v2/pages/{ja.pk}/?fields=alternates", f"/api/v3/pages/{ja.pk}/"]
    for url in urls:
        from_parts(client, url)
    if language == "th":
        th = site["th"]["article"]
        th.slug = "moon-th"
        th.save_revision().publish()
        marker = "/th/articles/moon-th/"
    else:
        translate_page(ja, locales["hi"], title="Moon hi")
        marker = "/hi/articles/moon/"
    for url in urls:
        assert marker in text_of(built(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_answers_show_an_edited_image(client, site, parts_only, language):
    urls = detail_urls(site[language]["article"])
    for url in urls:
        from_parts(client, url)
    image = site["image"]
    image.title = "Crater at dawn"
    image.save()
    for url in urls:
        assert "Crater at dawn" in text_of(built(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_answers_move_a_link_with_the_page_it_links_to(client, site, parts_only, language):
    index = site[language]["index"]
    linked = ArticlePageFactory(parent=index, title=f"Earlier {language}", slug="earlier")
    link = f'See <a linktype="page" id="{linked.pk}">the earlier story</a>.'
    article = ArticlePageFactory(
        parent=index,
        title=f"Follow-up {language}",
        slug="follow-up",
        body=[section("Background", [paragraph(link)])],
    )
    urls = detail_urls(article)
    for url in urls:
        assert f"/{language}/articles/earlier/" in text_of(from_parts(client, url)), url
    linked.slug = "earlier-mission"
    linked.save_revision().publish()
    for url in urls:
        answer = text_of(built(client, url))
        assert f"/{language}/articles/earlier-mission/" in answer, url
        assert f"/{language}/articles/earlier/" not in answer, url


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_answers_follow_a_renamed_or_restricted_ancestor(client, site, parts_only, language):
    home = site[language]["index"].get_parent()
    about = StandardPageFactory(parent=home, title=f"About {language}", slug="about")
    staff = StandardPageFactory(parent=about, title=f"Staff {language}", slug="staff")
    editor = StandardPageFactory(parent=staff, title=f"Editor {language}", slug="editor")
    urls = detail_urls(editor)
    for url in urls:
        assert f"/{language}/about/staff/editor/" in text_of(from_parts(client, url)), url
    about.title = f"About us {language}"
    about.slug = "who-we-are"
    about.save_revision().publish()
    for url in urls:
        assert f"/{language}/who-we-are/staff/editor/" in text_of(built(client, url)), url
    PageViewRestriction.objects.create(page=about, restriction_type="password", password="x")
    for url in urls:
        assert client.get(url).status_code == 404, url


# A card listing built from kept cards: the listing, the content clock (once), the count (kept
# once the clock has moved, which it never does inside these tests' transactions).
CARDS_FROM_PARTS = 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_built_cards_are_fresh_after_each_change_they_show(client, site, parts_only, language):
    urls = [url.format(language=language) for url in LIST_URLS[:2]]
    for url in urls:
        # A search also reads where its language's newest pages start.
        budget = CARDS_FROM_PARTS + ("&q=" in url)
        assert from_parts(client, url, budget)["items"], url

    def shown(marker):
        for url in urls:
            assert marker in text_of(built(client, url)), (url, marker)

    article = site[language]["article"]
    article.title = f"Moon landing {language}"
    article.save_revision().publish()
    shown(f"Moon landing {language}")
    for snippet in ("category", "author"):
        renamed = site[language][snippet]
        renamed.name = f"Renamed {snippet} {language}"
        renamed.save()
        shown(f"Renamed {snippet} {language}")
    image = site["image"]
    image.title = "Crater at dawn"
    image.save()
    shown("Crater at dawn")
    index = site[language]["index"]
    index.slug = f"news-{language}"
    index.save_revision().publish()
    shown(f"/news-{language}/moon/")
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    for url in urls:
        assert built(client, url)["items"] == [], url


def test_renditions_deleted_since_the_page_was_kept_are_made_again(client, site, parts_only):
    # The page as read holds its lead image's renditions; trusted as complete, a list that
    # still named deleted ones would send their URLs and make none again.
    image = site["image"]
    url = f"/api/v3/pages/{site['ja']['article'].pk}/"
    from_parts(client, url)
    image.renditions.all().delete()

    answer = built(client, url)

    assert image.renditions.filter(filter_spec=LEAD_RENDITION).exists()
    assert answer["lead_image_rendition"]["url"].startswith("/media/")
