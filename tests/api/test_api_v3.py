"""API v3 (django-ninja): the OpenAPI document, its docs page, articles per language, errors."""

import datetime

import pytest
from django.core.cache import cache

from tests.conftest import translate_page
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    full_article,
    image_block,
    paragraph,
    reference,
    rich_body,
    section,
)

PAGES = "/api/v3/pages/"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def empty_cache():
    # Site root paths and renditions are cached; a previous test's entries must not leak in.
    cache.clear()


@pytest.fixture
def article(index, category, locales):
    image = ImageFactory(title="Landing site", file__width=1600, file__height=900)
    return full_article(
        index,
        author=AuthorFactory(name="山田花子", slug="hanako", role="記者", locale=locales["ja"]),
        title="月面着陸に成功",
        slug="moon-landing",
        display_date=datetime.datetime(2025, 6, 20, 9, tzinfo=datetime.UTC),
        category=category,
        lead_image=image,
        body=[
            *rich_body(2),
            section(
                "Links and images",
                [
                    paragraph(f'See <a linktype="page" id="{index.pk}">all articles</a>.'),
                    image_block(image),
                ],
            ),
        ],
        references=[reference(1, "phys.org"), reference(2, "apnews.com")],
    )


def test_openapi_document_is_json(client, db):
    response = client.get("/api/v3/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v3/pages/", "/api/v3/pages/{page_id}/"} <= document["paths"].keys()
    page_types = next(
        parameter["schema"]["items"]["enum"]
        for parameter in document["paths"]["/api/v3/pages/"]["get"]["parameters"]
        if parameter["name"] == "type"
    )
    assert "news.ArticlePage" in page_types


def test_docs_page_is_html(client, db):
    response = client.get("/api/v3/docs/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<title>Wagtail API</title>" in html
    assert "/static/ninja/swagger-ui.css" in html


def test_listing_holds_only_live_articles_of_the_requested_language(
    client, article, index, english_tree, locales
):
    ArticlePageFactory(parent=index, live=False)
    english = translate_page(article, locales["en"], title="Moon landing succeeds")

    response = client.get(PAGES, {"type": "news.ArticlePage", "locale": "ja"})

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "meta": {
                    "type": "news.ArticlePage",
                    "detail_url": f"http://testserver/api/v3/pages/{article.pk}/",
                    "html_url": "http://testserver/ja/articles/moon-landing/",
                    "locale": "ja",
                    "slug": "moon-landing",
                    "first_published_at": None,
                },
                "id": article.pk,
                "title": "月面着陸に成功",
            }
        ],
        "count": 1,
    }
    english_ids = [
        item["id"]
        for item in client.get(PAGES, {"type": "news.ArticlePage", "locale": "en"}).json()["items"]
    ]
    assert english_ids == [english.pk]


def test_detail_has_the_same_article_fields_as_v2(client, article):
    response = client.get(f"{PAGES}{article.pk}/")
    v2 = client.get(f"/api/v2/pages/{article.pk}/").json()

    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["type"] == "news.ArticlePage"
    assert data["meta"]["parent"]["id"] == article.get_parent().pk
    assert data["display_date"] == "2025-06-20T09:00:00Z"
    for field in (
        "title",
        "category",
        "authors",
        "tag_names",
        "lead_image_rendition",
        "lead_image_thumbnail",
        "body",
        "references",
    ):
        assert data[field] == v2[field], field
    assert [section["value"]["number"] for section in data["body"]] == [1, 2, 3]
    links = data["body"][2]["value"]["content"][0]["value"]["text"]
    assert links == '<p>See <a href="/ja/articles/">all articles</a>.</p>'


def test_detail_links_do_not_depend_on_accept_language(client, article, english_tree):
    """The linked index exists in English too; a Japanese article still links the Japanese one."""
    response = client.get(f"{PAGES}{article.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    links = response.json()["body"][2]["value"]["content"][0]["value"]["text"]
    assert links == '<p>See <a href="/ja/articles/">all articles</a>.</p>'


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("accept_language", ["", "en"])
def test_unknown_page_is_a_problem_404(client, db, accept_language):
    response = client.get(f"{PAGES}999999/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 404
    assert "Location" not in response
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No Page matches the given query.",
    }


def test_unknown_locale_is_a_problem_404(client, db):
    response = client.get(PAGES, {"locale": "xx"})

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == (
        "locale names no language of this site: 'xx' "
        "(its languages: ja, en, zh-hans, es, fr, ko, de, th, hi)."
    )


@pytest.mark.parametrize(
    ("params", "error_type", "loc"),
    [
        ({"type": "nope.Nope"}, "literal_error", ["query", "filters", "type", 0]),
        ({"limit": "abc"}, "int_parsing", ["query", "limit"]),
        ({"offset": "-1"}, "greater_than_equal", ["query", "offset"]),
    ],
)
def test_bad_query_parameter_is_a_problem_400(client, db, params, error_type, loc):
    """Like v2, a malformed query string is the client's 400 (ninja's default would be 422)."""
    response = client.get(PAGES, params)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert (problem["title"], problem["detail"]) == ("Bad Request", "Invalid query parameters")
    assert [(error["type"], error["loc"]) for error in problem["errors"]] == [(error_type, loc)]
