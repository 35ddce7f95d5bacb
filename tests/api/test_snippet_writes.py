"""v3 writes of categories and authors: checked like page writes, 422 naming the field."""

import json

import pytest

from news.models import Author, Category
from tests.factories import AuthorFactory, CategoryFactory

PROBLEM = "application/problem+json"
CATEGORIES = "/api/v3/snippets/news.Category/"
AUTHORS = "/api/v3/snippets/news.Author/"


def post(client, auth, path, data):
    return client.post(path, json.dumps(data), content_type="application/json", **auth)


def patch(client, auth, path, data):
    return client.patch(path, json.dumps(data), content_type="application/json", **auth)


def errors_by_field(response):
    assert response["Content-Type"] == PROBLEM
    return {tuple(error["loc"]): error["msg"] for error in response.json()["errors"]}


@pytest.mark.parametrize("path", [CATEGORIES, AUTHORS])
def test_an_empty_body_names_the_required_fields_and_creates_nothing(client, auth, locales, path):
    for _ in range(2):  # the second used to answer 500 (a second empty slug)
        response = post(client, auth, path, {})

        assert response.status_code == 422, response.content
        errors = errors_by_field(response)
        assert {("name",), ("slug",)} <= errors.keys()
        assert "required" in errors[("name",)]
    assert not Category.objects.exists() and not Author.objects.exists()
    assert client.get("/api/v3/categories/").json()["count"] == 0


def test_a_category_is_created_in_the_default_language(client, auth, locales):
    response = post(client, auth, CATEGORIES, {"name": "宇宙", "slug": "space"})

    assert response.status_code == 201, response.content
    category = Category.objects.get()
    assert (category.name, category.slug, category.locale.language_code) == ("宇宙", "space", "ja")
    assert response.json()["name"] == "宇宙"


def test_an_author_is_created_with_role_and_biography(client, auth, locales):
    data = {"name": "山田花子", "slug": "hanako", "role": "記者", "bio": "宇宙を書く。"}

    response = post(client, auth, AUTHORS, data)

    assert response.status_code == 201, response.content
    assert Author.objects.values("name", "slug", "role", "bio").get() == data


@pytest.mark.parametrize("path", [CATEGORIES, AUTHORS])
def test_a_slug_taken_in_the_language_is_422_on_slug(client, auth, locales, path):
    factory = CategoryFactory if path == CATEGORIES else AuthorFactory
    factory(slug="space", locale=locales["ja"])
    count = factory._meta.model.objects.count()

    response = post(client, auth, path, {"name": "Space", "slug": "space"})

    assert response.status_code == 422, response.content
    assert "already used" in errors_by_field(response)[("slug",)]
    assert factory._meta.model.objects.count() == count


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "x" * 81, "slug": "long"}, "name", "at most 80 characters"),
        ({"name": "a\x00b", "slug": "nul"}, "name", "Null characters are not allowed"),
        ({"name": "Space", "slug": "no spaces"}, "slug", "slug"),
        ({"name": "Space", "slug": "s\x00"}, "slug", ""),
        ({"name": "", "slug": "empty"}, "name", "required"),
        ({"name": 5, "slug": "number"}, "name", "string"),
        ({"name": "Space", "slug": ["space"]}, "slug", "string"),
        ({"name": None, "slug": "null"}, "name", ""),
    ],
    ids=["too long", "nul", "bad slug", "nul slug", "empty", "number", "list", "null"],
)
def test_bad_fields_are_422_naming_the_field(client, auth, locales, data, field, message):
    response = post(client, auth, CATEGORIES, data)

    assert response.status_code == 422, response.content
    errors = errors_by_field(response)
    assert (field,) in errors, errors
    assert message in errors[(field,)]
    assert not Category.objects.exists()


def test_a_patch_is_checked_the_same_way(client, auth, locales):
    CategoryFactory(slug="science", locale=locales["ja"])
    category = CategoryFactory(name="宇宙", slug="space", locale=locales["ja"])
    path = f"{CATEGORIES}{category.pk}/"

    taken = patch(client, auth, path, {"slug": "science"})
    emptied = patch(client, auth, path, {"name": ""})
    too_long = patch(client, auth, path, {"name": "x" * 81})
    renamed = patch(client, auth, path, {"name": "そら"})

    assert taken.status_code == 422 and ("slug",) in errors_by_field(taken)
    assert emptied.status_code == 422 and ("name",) in errors_by_field(emptied)
    assert too_long.status_code == 422 and ("name",) in errors_by_field(too_long)
    assert renamed.status_code == 200, renamed.content
    category.refresh_from_db()
    assert (category.name, category.slug) == ("そら", "space")


def test_a_race_for_one_slug_is_409_not_500(client, auth, locales, monkeypatch):
    """Two creates that pass the check together: the database's constraint has the last
    word, and the loser is told so."""
    from news.models import SlugPerLocaleMixin

    monkeypatch.setattr(SlugPerLocaleMixin, "clean", lambda self: None)
    assert post(client, auth, CATEGORIES, {"name": "Space", "slug": "space"}).status_code == 201

    response = post(client, auth, CATEGORIES, {"name": "Space", "slug": "space"})

    assert response.status_code == 409, response.content
    assert response["Content-Type"] == PROBLEM
    assert Category.objects.count() == 1
