"""Opt-in fallback language: ``?locale=fr&fallback=en`` in listings and detail, both APIs.

An article without a live French version comes in the first fallback language that has one,
in the listing's order, marked: ``locale`` stays the content's language, ``requested_locale``
and ``fallback`` sit next to it (``meta`` in v2 and in v3's article detail, the card in v3).
"""

import pytest
from django.core.cache import cache
from wagtail.models import Locale

from tests.factories import AuthorFactory, CategoryFactory, ImageFactory, full_article

from .test_api_queries import grown
from .test_listings import V2, V3, build_newsroom, measure, titles, translate

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def newsroom(index, english_tree, locales):
    """A1 in ja, en, fr; A2 in ja, en; A3 in ja (en draft); see test_listings."""
    return build_newsroom(index, locales)


def listing(client, api, **params):
    if api == "v2":
        response = client.get(V2, {"type": "news.ArticlePage", **params})
    else:
        response = client.get(V3, params)
    assert response.status_code == 200, response.content
    return response.json()


def marks(item, api):
    """(title, locale, requested_locale, fallback) of a listed item."""
    holder = item["meta"] if api == "v2" else item
    return item["title"], holder["locale"], holder["requested_locale"], holder["fallback"]


# ---------------------------------------------------------------------------
# Listings
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_missing_translations_come_in_the_fallback_language_marked(client, newsroom, api):
    data = listing(client, api, locale="fr", fallback="en", order="-display_date")

    assert [marks(item, api) for item in data["items"]] == [
        ("A new element", "en", "fr", True),
        ("Alunissage", "fr", "fr", False),
    ]
    assert (data["meta"]["total_count"] if api == "v2" else data["count"]) == 2


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_fallbacks_are_tried_in_the_order_given(client, newsroom, api):
    """A3's English version is a draft: it is skipped, never shown, and Japanese is next."""
    data = listing(client, api, locale="fr", fallback="en,ja", order="-display_date")

    assert [marks(item, api) for item in data["items"]] == [
        ("火星の氷", "ja", "fr", True),
        ("A new element", "en", "fr", True),
        ("Alunissage", "fr", "fr", False),
    ]


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_the_first_fallback_with_a_version_wins(client, newsroom, api):
    assert titles(client, api, locale="fr", fallback="ja,en", order="-display_date") == [
        "火星の氷",
        "新しい元素",
        "Alunissage",
    ]


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_a_language_named_twice_counts_once(client, newsroom, api):
    assert titles(client, api, locale="fr", fallback="fr, en,en", order="-display_date") == [
        "A new element",
        "Alunissage",
    ]


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_without_fallback_nothing_changes(client, newsroom, api):
    data = listing(client, api, locale="fr")

    [item] = data["items"]
    assert item["title"] == "Alunissage"
    if api == "v2":
        assert "fallback" not in item["meta"] and "requested_locale" not in item["meta"]
    else:
        assert (item["requested_locale"], item["fallback"]) == ("fr", False)


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_filters_apply_to_the_version_shown(client, newsroom, api):
    assert titles(
        client, api, locale="fr", fallback="en,ja", category="space", order="-display_date"
    ) == ["火星の氷", "Alunissage"]
    assert titles(client, api, locale="fr", fallback="en,ja", author="taro") == [
        "火星の氷",
        "A new element",
    ]
    assert titles(client, api, locale="fr", fallback="en", published_before="2025-06-15") == [
        "Alunissage"
    ]


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_fallback_listings_page_and_order_like_any_other(client, newsroom, api):
    params = {"locale": "fr", "fallback": "en,ja", "limit": 1}
    pages = [
        titles(client, api, **params, order="display_date", offset=offset) for offset in range(4)
    ]

    assert pages == [["Alunissage"], ["A new element"], ["火星の氷"], []]


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_drafts_and_private_articles_never_fill_in(client, newsroom, api):
    listed = titles(client, api, locale="ko", fallback="ja", limit=100)

    assert sorted(listed) == sorted(["火星の氷", "新しい元素", "月面着陸"])


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_a_fallback_language_without_any_page_yet_is_accepted(client, newsroom, api):
    """Every site language is valid, even one no page is written in yet (no Locale row)."""
    Locale.objects.filter(language_code="hi").delete()

    assert titles(client, api, locale="fr", fallback="hi") == ["Alunissage"]


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        (
            {"locale": "fr", "fallback": "xx"},
            400,
            "fallback names no language of this site: 'xx' (",
        ),
        ({"locale": "fr", "fallback": "en,xx,yy"}, 400, "of this site: 'xx', 'yy' (its languages"),
        ({"locale": "fr", "fallback": "EN"}, 400, "of this site: 'EN' (its languages: ja, en,"),
        ({"fallback": "en"}, 400, "fallback needs locale"),
        ({"locale": "xx", "fallback": "en"}, 404, "xx"),
    ],
)
@pytest.mark.parametrize("api", ["v2", "v3"])
def test_bad_fallbacks_are_refused(client, newsroom, api, params, status, says):
    if api == "v2":
        response = client.get(V2, {"type": "news.ArticlePage", **params})
        message = response.json()["message"]
    else:
        response = client.get(V3, params)
        body = response.json()
        message = body["errors"][0]["msg"] if status == 400 else body["detail"]
        assert response["Content-Type"] == PROBLEM
        if status == 400:
            assert body["errors"][0]["loc"] == ["query", "fallback"]

    assert response.status_code == status
    assert says in message


def test_an_empty_fallback_is_no_fallback(client, newsroom):
    assert titles(client, "v2", locale="fr", fallback="") == ["Alunissage"]
    assert titles(client, "v3", locale="fr", fallback=" , ") == ["Alunissage"]


def test_v2_fallback_listing_keeps_wagtail_s_fields(client, newsroom):
    data = listing(
        client, "v2", locale="fr", fallback="en", fields="summary,category", order="title"
    )

    item = data["items"][0]
    assert item["title"] == "A new element"
    assert item["category"]["name"] == "Science"
    assert item["meta"]["fallback"] is True


# ---------------------------------------------------------------------------
# Detail: any translation's id, then the requested language or a fallback
# ---------------------------------------------------------------------------


def v2_detail(client, page, **params):
    return client.get(f"{V2}{page.pk}/", params)


def v3_detail(client, page, **params):
    return client.get(f"{V3}{page.pk}/", params)


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
def test_detail_gives_the_requested_language_from_any_translation_s_id(client, newsroom, detail):
    for page in (newsroom["A1"], newsroom["A1 en"], newsroom["A1 fr"]):
        data = detail(client, page, locale="fr", fallback="en").json()

        assert data["id"] == newsroom["A1 fr"].pk
        assert data["title"] == "Alunissage"
        assert data["meta"]["locale"] == "fr"
        assert data["meta"]["requested_locale"] == "fr"
        assert data["meta"]["fallback"] is False


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
def test_detail_falls_back_and_says_so(client, newsroom, detail):
    data = detail(client, newsroom["A2"], locale="fr", fallback="en").json()

    assert data["id"] == newsroom["A2 en"].pk
    assert data["meta"]["locale"] == "en"
    assert data["meta"]["requested_locale"] == "fr"
    assert data["meta"]["fallback"] is True
    assert data["summary"] and data["body"]  # the whole article, not a card


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
def test_detail_without_a_live_version_in_any_language_asked_is_404(client, newsroom, detail):
    # A3: Japanese only (its English version is a draft).
    response = detail(client, newsroom["A3"], locale="fr", fallback="en")

    assert response.status_code == 404
    assert "Ice on Mars" not in response.content.decode()


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
@pytest.mark.parametrize("name", ["draft", "private"])
def test_detail_never_shows_drafts_or_private_articles(client, newsroom, detail, name):
    assert detail(client, newsroom[name], locale="ja", fallback="en").status_code == 404


def test_v3_detail_with_one_language_or_none(client, newsroom):
    a1, a1_en = newsroom["A1"], newsroom["A1 en"]

    english = v3_detail(client, a1, locale="en").json()
    assert (english["id"], english["meta"]["requested_locale"]) == (a1_en.pk, "en")
    assert english["meta"]["fallback"] is False
    assert v3_detail(client, newsroom["A2"], locale="fr").status_code == 404

    itself = v3_detail(client, a1_en).json()
    assert (itself["id"], itself["meta"]["requested_locale"]) == (a1_en.pk, None)
    assert v3_detail(client, newsroom["A3 en draft"]).status_code == 404
    assert v3_detail(client, newsroom["A1"], locale="xx").status_code == 404


def test_v3_detail_has_the_pages_detail_fields_in_its_own_language(client, newsroom):
    a2_en = newsroom["A2 en"]
    pages = client.get(f"/api/v3/pages/{a2_en.pk}/").json()

    article = v3_detail(client, newsroom["A2"], locale="fr", fallback="en").json()

    meta = article.pop("meta")
    expected_meta = pages.pop("meta") | {"requested_locale": "fr", "fallback": True}
    assert meta == expected_meta
    assert article == pages


@pytest.mark.parametrize("rich_text_format", ["markdown", "db_markdown", "db_html", "html"])
def test_v3_detail_gives_rich_text_in_the_format_asked_as_the_pages_detail(
    client, newsroom, rich_text_format
):
    a2_en = newsroom["A2 en"]
    params = {"rich_text_format": rich_text_format}
    pages = client.get(f"/api/v3/pages/{a2_en.pk}/", params).json()

    response = v3_detail(client, newsroom["A2"], locale="fr", fallback="en", **params)

    assert response.status_code == 200, response.content
    article = response.json()
    meta = article.pop("meta")
    assert meta == pages.pop("meta") | {"requested_locale": "fr", "fallback": True}
    assert article == pages
    paragraph = next(
        block["value"]
        for section in article["body"]
        for block in section["value"]["content"]
        if block["type"] == "paragraph"
    )
    assert paragraph["text"].startswith("<p") is rich_text_format.endswith("html")


@pytest.mark.parametrize("value", ["pdf", "", "markdown\x00"])
def test_v3_detail_refuses_a_rich_text_format_the_pages_detail_refuses(client, newsroom, value):
    pages = client.get(f"/api/v3/pages/{newsroom['A1'].pk}/", {"rich_text_format": value})

    response = v3_detail(client, newsroom["A1"], rich_text_format=value)

    assert response.status_code == pages.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_v2_detail_without_fallback_is_wagtail_s(client, newsroom):
    """``locale`` alone stays a filter on the detail view, as Wagtail has it."""
    assert v2_detail(client, newsroom["A1"], locale="fr").status_code == 404
    assert "fallback" not in v2_detail(client, newsroom["A1"]).json()["meta"]


def test_v2_find_by_path_keeps_the_fallback(client, newsroom):
    """``find`` redirects with the other parameters: the detail then applies the fallback."""
    response = client.get(
        f"{V2}find/",
        {"html_path": "/ja/articles/element/", "locale": "fr", "fallback": "en"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.json()["id"] == newsroom["A2 en"].pk
    assert response.json()["meta"]["fallback"] is True


@pytest.mark.parametrize("api", ["v2", "v3"])
@pytest.mark.parametrize("by", ["html_path", "id"])
def test_find_honours_locale_and_fallback_in_both_apis(client, newsroom, api, by):
    """A2 has no French version: the English one comes, marked, whether the Japanese
    article is named by its path or by its id."""
    where = {"html_path": "/ja/articles/element/"}
    if by == "id":
        where = {"id": newsroom["A2"].pk}
    response = client.get(
        f"/api/{api}/pages/find/", {**where, "locale": "fr", "fallback": "en"}, follow=True
    )

    assert response.status_code == 200, response.content
    page = response.json()
    assert page["id"] == newsroom["A2 en"].pk
    assert page["title"] == "A new element"
    assert (page["meta"]["locale"], page["meta"]["requested_locale"]) == ("en", "fr")
    assert page["meta"]["fallback"] is True


def test_v3_find_gives_the_version_in_locale(client, newsroom):
    """``locale`` alone: the translation in that language, as ``/api/v3/articles/<id>/``
    reads it, or a 404; never the page in another language."""
    found = client.get(
        "/api/v3/pages/find/",
        {"html_path": "/ja/articles/moon/", "locale": "fr"},
        follow=True,
    )
    assert found.status_code == 200
    assert (found.json()["id"], found.json()["meta"]["fallback"]) == (newsroom["A1 fr"].pk, False)

    missing = client.get(
        "/api/v3/pages/find/",
        {"html_path": "/ja/articles/element/", "locale": "fr"},
        follow=True,
    )
    assert missing.status_code == 404
    assert missing["Content-Type"] == PROBLEM


def test_v3_find_redirects_once_to_the_article_in_a_language(client, newsroom):
    response = client.get(
        "/api/v3/pages/find/",
        {"html_path": "/ja/articles/element/", "locale": "fr", "fallback": "en"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(f"/api/v3/articles/{newsroom['A2'].pk}/?")
    assert "locale=fr" in response["Location"] and "fallback=en" in response["Location"]
    assert "html_path" not in response["Location"]


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"fallback": "en"}, 400, "fallback"),  # fallback needs locale
        ({"locale": "fr", "fallback": "xx"}, 400, "fallback"),
        ({"locale": "xx"}, 404, None),
        ({"locale": "xx", "fallback": "en"}, 404, None),
    ],
)
def test_v3_find_refuses_languages_it_cannot_use(client, newsroom, params, status, parameter):
    response = client.get(
        "/api/v3/pages/find/", {"html_path": "/ja/articles/element/", **params}, follow=True
    )

    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    if parameter:
        assert [error["loc"] for error in response.json()["errors"]] == [["query", parameter]]


@pytest.mark.parametrize("params", [{"locale": "en"}, {"locale": "fr", "fallback": "en"}])
def test_v3_find_of_a_page_without_languages_to_choose_is_a_400(client, newsroom, params):
    """Only articles have a version in a language in v3 (``/api/v3/articles/<id>/``): any
    other page asked for in a language is refused, never answered in its own."""
    response = client.get("/api/v3/pages/find/", {"html_path": "/ja/", **params}, follow=True)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["loc"] == ["query", "locale"]
    assert "/en/" in response.json()["errors"][0]["msg"]


def test_v3_find_declares_its_languages_in_the_openapi_document(client, db):
    document = client.get("/api/v3/openapi.json").json()
    find = document["paths"]["/api/v3/pages/find/"]["get"]

    parameters = {parameter["name"]: parameter for parameter in find["parameters"]}
    assert {"html_path", "id", "locale", "fallback"} <= set(parameters)
    assert "articles only" in parameters["locale"]["description"]
    assert "location.pathname" in parameters["html_path"]["description"]


def test_v3_detail_is_typed_in_the_openapi_document(client, db):
    document = client.get("/api/v3/openapi.json").json()
    schemas = document["components"]["schemas"]

    meta = schemas["ArticleInLanguageMetaSchema"]
    assert meta["properties"]["fallback"]["type"] == "boolean"
    assert {"requested_locale", "fallback", "locale"} <= set(meta["properties"])
    detail = document["paths"]["/api/v3/articles/{article_id}/"]["get"]
    assert {parameter["name"] for parameter in detail["parameters"]} >= {
        "article_id",
        "locale",
        "fallback",
    }
    ok = detail["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ArticleInLanguageSchema"}


# ---------------------------------------------------------------------------
# Query budgets
# ---------------------------------------------------------------------------

FALLBACK = {
    "v2": V2 + "?type=news.ArticlePage&locale=fr&fallback=en,ja&fields=*&limit=100",
    "v3": V3 + "?locale=fr&fallback=en,ja&limit=100",
}
ONE_LANGUAGE = {
    "v2": V2 + "?type=news.ArticlePage&locale=ja&fields=*&limit=100",
    "v3": V3 + "?locale=ja&limit=100",
}


@pytest.fixture
def add_articles(index, english_tree, locales):
    """Japanese articles, every other one translated into English."""
    space = CategoryFactory(slug="space", locale=locales["ja"])
    space_en = space.copy_for_translation(locales["en"])
    space_en.save()
    taro = AuthorFactory(slug="taro", locale=locales["ja"])
    taro_en = taro.copy_for_translation(locales["en"])
    taro_en.save()
    added = []

    def add(count):
        for _ in range(count):
            article = full_article(
                index, author=taro, category=space, lead_image=ImageFactory(), tags=("moon",)
            )
            if len(added) % 2:
                translate(article, locales["en"], f"{article.title} (en)", space_en, taro_en)
            added.append(article)

    return add


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_fallback_listing_queries_do_not_grow_with_the_number_of_articles(
    client, add_articles, api
):
    add_articles(5)
    five = measure(client, FALLBACK[api], 5)
    add_articles(45)
    fifty = measure(client, FALLBACK[api], 50)

    assert len(fifty) == len(five), grown(five, fifty)
    # Against a one-language listing, v2 reads which pages the caller may see once more
    # (view restrictions, the site's language roots) to choose among them.
    extra = {"v2": 2, "v3": 0}[api]
    assert len(fifty) <= len(measure(client, ONE_LANGUAGE[api], 50)) + extra
