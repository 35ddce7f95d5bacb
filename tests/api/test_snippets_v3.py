"""Categories and authors in API v3: no token, one language at a time, problem JSON errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AuthorFactory, CategoryFactory

PROBLEM = "application/problem+json"


# The one wording of an unknown language in every endpoint (api.languages).
UNKNOWN_XX = (
    "locale names no language of this site: 'xx' "
    "(its languages: ja, en, zh-hans, es, fr, ko, de, th, hi)."
)


@pytest.fixture
def snippets(category, locales):
    english = category.copy_for_translation(locales["en"])
    english.name = "Space"
    english.save()
    CategoryFactory(name="Science", slug="science", locale=locales["en"])
    author = AuthorFactory(
        name="山田花子", slug="hanako", role="記者", bio="宇宙を書く。", locale=locales["ja"]
    )
    return category, english, author


def test_categories_of_one_language_without_a_token(client, snippets):
    _category, english, _author = snippets

    response = client.get("/api/v3/categories/", {"locale": "en"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["count"] == 2
    assert [item["name"] for item in data["items"]] == ["Science", "Space"]
    space = data["items"][1]
    assert space == {
        "id": english.pk,
        "meta": {
            "type": "news.Category",
            "detail_url": f"http://testserver/api/v3/categories/{english.pk}/",
        },
        "locale": "en",
        "name": "Space",
        "slug": "space",
    }


def test_every_language_without_a_filter_ordered_and_paged(client, snippets):
    data = client.get("/api/v3/categories/").json()
    assert [(item["locale"], item["name"]) for item in data["items"]] == [
        ("ja", "宇宙"),
        ("en", "Science"),
        ("en", "Space"),
    ]

    page = client.get("/api/v3/categories/", {"locale": "en", "order": "-name", "limit": 1})
    assert page.json()["count"] == 2
    assert [item["name"] for item in page.json()["items"]] == ["Space"]
    page = client.get(
        "/api/v3/categories/", {"locale": "en", "order": "-name", "limit": 1, "offset": 1}
    )
    assert [item["name"] for item in page.json()["items"]] == ["Science"]


def test_category_detail_is_the_listing_item(client, snippets):
    category, _english, _author = snippets

    detail = client.get(f"/api/v3/categories/{category.pk}/")

    assert detail.status_code == 200
    listed = client.get("/api/v3/categories/", {"locale": "ja"}).json()["items"]
    assert [detail.json()] == listed


def test_authors_with_role_and_biography(client, snippets):
    _category, _english, author = snippets

    [item] = client.get("/api/v3/authors/", {"locale": "ja"}).json()["items"]
    assert item["id"] == author.pk
    assert (item["name"], item["slug"], item["role"], item["bio"]) == (
        "山田花子",
        "hanako",
        "記者",
        "宇宙を書く。",
    )
    assert item["meta"]["detail_url"] == f"http://testserver/api/v3/authors/{author.pk}/"
    assert client.get(item["meta"]["detail_url"]).json() == item


def test_a_token_is_not_needed_and_a_bad_one_changes_nothing(client, snippets):
    anonymous = client.get("/api/v3/authors/")
    with_bad_token = client.get("/api/v3/authors/", HTTP_AUTHORIZATION="Bearer wagtail_nope")

    assert anonymous.status_code == with_bad_token.status_code == 200
    assert anonymous.json() == with_bad_token.json()


@pytest.mark.parametrize(
    ("url", "params", "status", "detail"),
    [
        ("/api/v3/categories/", {"locale": "xx"}, 404, UNKNOWN_XX),
        ("/api/v3/authors/", {"locale": "xx"}, 404, UNKNOWN_XX),
        ("/api/v3/categories/", {"order": "slug"}, 400, "Invalid query parameters"),
        ("/api/v3/categories/", {"limit": "0"}, 400, "Invalid query parameters"),
        ("/api/v3/categories/", {"limit": "101"}, 400, "limit cannot be higher than 100"),
        ("/api/v3/categories/", {"offset": "-1"}, 400, "Invalid query parameters"),
        ("/api/v3/authors/", {"local": "en"}, 400, "Unknown query parameter: local"),
        ("/api/v3/categories/0/", {}, 404, "No Category matches the given query."),
        ("/api/v3/authors/99999999999999999999/", {}, 404, "No Author matches the given query."),
        ("/api/v3/authors/abc/", {}, 400, "Invalid query parameters"),
    ],
)
def test_bad_queries_are_problem_json(client, snippets, url, params, status, detail):
    response = client.get(url, params)

    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == detail


@pytest.mark.parametrize("url", ["/api/v3/categories/", "/api/v3/authors/"])
def test_listings_cost_the_same_for_5_or_50(client, locales, url):
    def queries(count):
        for _ in range(count):
            CategoryFactory(locale=locales["ja"])
            AuthorFactory(locale=locales["ja"])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"locale": "ja", "limit": 100})
        assert response.status_code == 200
        return len(response.json()["items"]), len(captured)

    client.get(url, {"locale": "ja"})  # the site's locales are kept (api.languages)
    five, five_queries = queries(5)
    fifty, fifty_queries = queries(45)

    assert (five, fifty) == (5, 50)
    assert five_queries == fifty_queries
    # The count, the items; and the caching middleware's content clock.
    assert five_queries <= 3
