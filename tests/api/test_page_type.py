"""A v3 page answer says its page type at the top, and the document discriminates pages by it.

Every answer that may be a page of any type (the pages detail, ``find``, the preview, the
answers of page writes, a revision's page) is a ``Page``: a union of the page schemas with
OpenAPI's ``discriminator`` on ``type``, which each page answer carries beside
``meta.type``. TypeScript narrows a union on a property of its own members only, never on a
nested one: ``if (page.type === "news.ArticlePage") page.body`` type-checks
(``test_generated_clients.py`` compiles exactly that).
"""

import json

import pytest
from django.core.cache import cache
from wagtail.models import APIToken, get_page_models

from preview.tokens import make_token, take_snapshot
from tests.conftest import translate_page
from tests.factories import StandardPageFactory, full_article

PAGE = {"$ref": "#/components/schemas/Page"}
# (path, method, status) of every answer that is a page of any type.
PAGE_ANSWERS = [
    ("/api/v3/pages/{page_id}/", "get", "200"),
    ("/api/v3/pages/find/", "get", "200"),
    ("/api/v3/preview/", "get", "200"),
    ("/api/v3/pages/", "post", "201"),
    ("/api/v3/pages/{page_id}/", "patch", "200"),
    *(
        (f"/api/v3/pages/{{page_id}}/actions/{action}/", "post", status)
        for action, status in [
            ("publish", "200"),
            ("unpublish", "200"),
            ("move", "200"),
            ("revert", "200"),
            ("convert_alias", "200"),
            ("copy", "201"),
            ("create_alias", "201"),
            ("copy_for_translation", "201"),
        ]
    ),
]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def component(document, ref):
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_pages_are_told_apart_by_their_type(document):
    page = document["components"]["schemas"]["Page"]
    mapping = page["discriminator"]["mapping"]

    assert page["discriminator"]["propertyName"] == "type"
    assert set(mapping) == {model._meta.label for model in get_page_models()}
    assert sorted(member["$ref"] for member in page["oneOf"]) == sorted(mapping.values())
    for label, ref in mapping.items():
        schema = component(document, ref)
        assert "type" in schema["required"], label
        assert schema["properties"]["type"]["const"] == label
        meta = component(document, schema["properties"]["meta"]["$ref"])
        assert meta["properties"]["type"]["const"] == label


@pytest.mark.parametrize(("path", "method", "status"), PAGE_ANSWERS)
def test_every_answer_that_may_be_any_page_is_a_page(document, path, method, status):
    content = document["paths"][path][method]["responses"][status]["content"]

    assert content["application/json"]["schema"] == PAGE


def test_a_revision_holds_a_page(document):
    schema = document["components"]["schemas"]["PageRevisionDetailSchema"]

    assert schema["properties"]["content_object"] == PAGE


def test_the_article_in_a_language_carries_its_type_too(document):
    schema = document["components"]["schemas"]["ArticleInLanguageSchema"]

    assert schema["properties"]["type"]["const"] == "news.ArticlePage"
    assert "type" in schema["required"]


@pytest.fixture
def pages(index, category, english_tree, locales):
    article = full_article(index, category=category, slug="moon-landing")
    english = translate_page(article, locales["en"], title="Moon landing")
    terms = StandardPageFactory(parent=index.get_parent(), slug="terms")
    return {"article": article, "english": english, "terms": terms, "home": index.get_parent()}


def test_every_page_answer_carries_its_type(client, pages, admin_user):
    article, english, terms, home = (
        pages[name] for name in ("article", "english", "terms", "home")
    )
    _, token = APIToken.create_token(user=admin_user, name="type")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    preview = make_token(take_snapshot(terms.specific))

    answers = {
        "detail": client.get(f"/api/v3/pages/{article.pk}/"),
        "home": client.get(f"/api/v3/pages/{home.pk}/"),
        "find": client.get(
            "/api/v3/pages/find/", {"html_path": "/ja/articles/moon-landing/"}, follow=True
        ),
        "in a language": client.get(f"/api/v3/articles/{article.pk}/?locale=en"),
        "preview": client.get("/api/v3/preview/", {"token": preview}),
        "draft": client.get(f"/api/v3/pages/{english.pk}/?version=draft", **bearer),
        "write": client.post(
            f"/api/v3/pages/{terms.pk}/actions/publish/", content_type="application/json", **bearer
        ),
    }

    types = {}
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.content[:300])
        data = json.loads(response.content)
        assert data["type"] == data["meta"]["type"], name
        types[name] = data["type"]
    assert types == {
        "detail": "news.ArticlePage",
        "home": "home.HomePage",
        "find": "news.ArticlePage",
        "in a language": "news.ArticlePage",
        "preview": "home.StandardPage",
        "draft": "news.ArticlePage",
        "write": "home.StandardPage",
    }


def test_a_page_type_with_an_api_field_named_type_is_refused():
    """``type`` tells the page types of an answer apart: a page type's own field of that name
    would hide it, so ukiyo refuses to start rather than answer with either."""
    from django.core.exceptions import ImproperlyConfigured
    from ninja import Schema

    from api.v3.read_schemas import extended
    from news.models import ArticlePage

    class WithType(Schema):
        type: str

    refused = r"news\.ArticlePage has an API field named type"
    with pytest.raises(ImproperlyConfigured, match=refused):
        extended(WithType, ArticlePage)
