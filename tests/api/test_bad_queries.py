"""Query strings no endpoint can use answer 400 in each API's error shape, never 500.

Each case answered 500 before: a NUL character reached PostgreSQL, an offset overflowed its
integers, a search of thousands of words made the query builder recurse past Python's limit,
an unknown ``search_operator`` or a value its field cannot hold raised inside Wagtail.
"""

import json

import pytest
from django.core.cache import cache

from api.params import MAX_OFFSET
from tests.factories import full_article

MANY_WORDS = " ".join(f"word{number}" for number in range(2000))
BEYOND_BIGINT = "9999999999999999999"


@pytest.fixture
def article(index, english_tree):
    cache.clear()  # Wagtail caches the site root paths
    return full_article(index, title="Moon landing")


def v2_error(response, status=400):
    """v2's error: a problem that also carries v2's ``message``."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert set(body) == {"type", "title", "status", "detail", "message"}
    assert body["message"] == body["detail"]
    return body["message"]


def v3_problem(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == status
    assert problem["title"] and problem["type"] and problem["detail"]
    return problem


@pytest.mark.parametrize(
    ("url", "query", "named"),
    [
        ("/api/v2/pages/", {"search": "x", "search_operator": "xor"}, "search_operator"),
        ("/api/v2/images/", {"search": "x", "search_operator": "xor"}, "search_operator"),
        ("/api/v2/pages/", {"search": "a\x00b"}, "NUL"),
        ("/api/v2/documents/", {"search": "a\x00b"}, "NUL"),
        ("/api/v2/pages/", {"locale": "\x00"}, "NUL"),
        # A search's languages come from locale and fallback (api.v2.pages.SearchRecentFirst).
        ("/api/v2/pages/", {"search": "x", "locale": "ja\x00"}, "NUL"),
        ("/api/v2/pages/", {"search": "x", "locale": "ja", "fallback": "xx"}, "fallback"),
        ("/api/v2/pages/", {"search": "x", "locale": "ja", "fallback": "en\x00"}, "fallback"),
        ("/api/v2/categories/", {"locale": "\x00"}, "NUL"),
        ("/api/v2/pages/find/", {"html_path": "/ja/\x00/"}, "NUL"),
        ("/api/v2/pages/", {"site": "a\x00"}, "NUL"),
        ("/api/v2/pages/", {"offset": BEYOND_BIGINT}, "offset"),
        ("/api/v2/pages/", {"offset": str(2**63)}, "offset"),
        ("/api/v2/authors/", {"offset": BEYOND_BIGINT}, "offset"),
        ("/api/v2/pages/", {"search": MANY_WORDS}, "at most 32 words"),
        ("/api/v2/images/", {"search": MANY_WORDS}, "at most 32 words"),
        ("/api/v2/pages/", {"search": "x" * 201}, "200 characters"),
        ("/api/v2/pages/find/", {"id": "abc"}, "id"),
        ("/api/v2/pages/", {"first_published_at": "yesterday"}, "first_published_at"),
        ("/api/v2/pages/", {"translation_key": "not-a-uuid"}, "translation_key"),
    ],
)
def test_v2_refuses_unusable_queries_with_400(client, article, url, query, named):
    assert named in v2_error(client.get(url, query))


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        ("/api/v3/pages/", {"search": "a\x00b"}, "search"),
        ("/api/v3/images/", {"search": "a\x00b"}, "search"),
        ("/api/v3/pages/", {"locale": "\x00"}, "locale"),
        ("/api/v3/categories/", {"locale": "\x00"}, "locale"),
        ("/api/v3/pages/find/", {"html_path": "/ja/\x00/"}, "html_path"),
        ("/api/v3/pages/", {"offset": BEYOND_BIGINT}, "offset"),
        ("/api/v3/documents/", {"offset": str(2**63)}, "offset"),
        ("/api/v3/authors/", {"offset": BEYOND_BIGINT}, "offset"),
        ("/api/v3/pages/", {"search": MANY_WORDS}, "search"),
        ("/api/v3/documents/", {"search": MANY_WORDS}, "search"),
    ],
)
def test_v3_refuses_unusable_queries_with_a_400_problem(client, article, url, query, parameter):
    problem = v3_problem(client.get(url, query))
    assert problem["detail"] == "Invalid query parameters"
    assert [error["loc"] for error in problem["errors"]] == [["query", parameter]]


def test_the_api_names_the_search_limits(client, article):
    problem = v3_problem(client.get("/api/v3/pages/", {"search": MANY_WORDS}))
    message = problem["errors"][0]["msg"]
    assert "at most 32 words and 200 characters" in message
    assert "2000 words" in message


def test_a_search_within_the_limits_still_finds(client, article):
    words = " ".join(["moon"] * 32)
    v2 = json.loads(client.get("/api/v2/pages/", {"search": words}).content)
    assert [item["title"] for item in v2["items"]] == ["Moon landing"]
    v3 = client.get("/api/v3/pages/", {"search": words, "search_operator": "or"})
    assert v3.status_code == 200
    assert [item["title"] for item in json.loads(v3.content)["items"]] == ["Moon landing"]


def test_a_large_offset_within_range_lists_nothing(client, article):
    for url in ("/api/v2/pages/", "/api/v3/pages/"):
        response = client.get(url, {"offset": str(MAX_OFFSET)})
        assert response.status_code == 200
        assert json.loads(response.content)["items"] == []


def test_ids_beyond_the_database_integers_are_not_found(client, article):
    for url in ("/api/v2/pages/", "/api/v3/pages/", "/api/v3/categories/"):
        assert client.get(f"{url}{BEYOND_BIGINT}/").status_code == 404
    for query in ("id", "child_of", "descendant_of"):
        response = client.get("/api/v2/pages/", {query: BEYOND_BIGINT})
        assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize("query", ["a\x00b", "\x01", MANY_WORDS])
def test_the_admin_searches_survive_odd_input(editor, article, query):
    for url in (
        "/admin/pages/search/",
        "/admin/images/",
        f"/admin/pages/{article.pk}/",
        "/admin/snippets/news/category/",
    ):
        assert editor.get(url, {"q": query}).status_code == 200


ODD_VALUES = ["a\x00b", 'a"b', str(2**63), "-1", "", "x" * 300, MANY_WORDS]
SWEEP = {
    "/api/v2/pages/": [
        "search", "search_operator", "locale", "fallback", "offset", "limit", "id", "child_of",
        "descendant_of", "ancestor_of", "translation_of", "type", "fields", "order", "site",
        "category", "author", "published_after", "published_before", "slug", "title",
        "first_published_at", "show_in_menus",
    ],
    "/api/v2/pages/find/": ["html_path", "id", "locale", "site"],
    "/api/v2/images/": ["search", "search_operator", "offset", "limit", "id", "fields", "order"],
    "/api/v2/categories/": ["locale", "offset", "limit", "id", "order"],
    "/api/v2/changes/": ["updated_since", "limit", "locale", "event", "type"],
    "/api/v3/pages/": [
        "search", "search_operator", "locale", "offset", "limit", "child_of", "descendant_of",
        "ancestor_of", "translation_of", "type", "order", "site", "slug",
    ],
    "/api/v3/pages/find/": ["html_path", "id", "site"],
    "/api/v3/documents/": ["search", "offset", "limit", "order"],
    "/api/v3/articles/": [
        "locale", "fallback", "category", "author", "published_after", "published_before",
        "order", "site", "offset", "limit",
    ],
    "/api/v3/authors/": ["locale", "order", "offset", "limit"],
    "/api/v3/changes/": ["updated_since", "limit", "locale", "event", "type"],
    "/ja/search/": ["q", "page"],
}  # fmt: skip


def test_no_odd_value_of_any_parameter_answers_500(client, article):
    """Every parameter of the main endpoints with NUL, a quote, 2^63, a negative number,
    nothing, a long string and 2,000 words, alone and repeated: never a 500."""
    client.raise_request_exception = False
    server_errors = []
    for url, parameters in SWEEP.items():
        for parameter in parameters:
            for value in ODD_VALUES:
                for query in ({parameter: value}, {parameter: [value, "1"]}):
                    status = client.get(url, query).status_code
                    if status >= 500:
                        server_errors.append((url, parameter, value[:20], status))
    assert server_errors == []
