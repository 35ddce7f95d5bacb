"""Categories and authors, readable without a token, one language at a time (API v2)."""

import pytest

from tests.factories import AuthorFactory, CategoryFactory


@pytest.fixture
def snippets(category, locales):
    english = category.copy_for_translation(locales["en"])
    english.name = "Space"
    english.save()
    author = AuthorFactory(name="山田花子", slug="hanako", role="記者", locale=locales["ja"])
    CategoryFactory(name="科学", slug="science", locale=locales["ja"])
    return category, english, author


def test_categories_of_one_language_without_a_token(client, snippets):
    _category, english, _author = snippets

    response = client.get("/api/v2/categories/", {"locale": "en"})

    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["total_count"] == 1
    [item] = data["items"]
    assert item["id"] == english.pk
    assert (item["name"], item["slug"], item["locale"]) == ("Space", "space", "en")
    assert item["meta"]["detail_url"] == f"http://testserver/api/v2/categories/{english.pk}/"


def test_every_language_without_a_filter_and_a_detail(client, snippets):
    category, _english, _author = snippets

    data = client.get("/api/v2/categories/").json()
    assert {(item["slug"], item["locale"]) for item in data["items"]} == {
        ("space", "ja"),
        ("space", "en"),
        ("science", "ja"),
    }
    detail = client.get(f"/api/v2/categories/{category.pk}/").json()
    assert (detail["name"], detail["locale"]) == ("宇宙", "ja")


def test_authors_with_role_and_biography(client, snippets):
    _category, _english, author = snippets

    [item] = client.get("/api/v2/authors/", {"locale": "ja"}).json()["items"]
    assert (item["name"], item["slug"], item["role"]) == ("山田花子", "hanako", "記者")
    detail = client.get(f"/api/v2/authors/{author.pk}/", {"fields": "bio"}).json()
    assert "bio" in detail


@pytest.mark.parametrize(
    ("params", "status"),
    [({"locale": "xx"}, 404), ({"colour": "red"}, 400), ({"fields": "secret"}, 400)],
)
def test_bad_queries_are_json_errors(client, snippets, params, status):
    response = client.get("/api/v2/categories/", params)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["message"] == response.json()["detail"]
