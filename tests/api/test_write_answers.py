"""The answer to a v3 write shows the page as it now is: where readers find it, and since when.

An integration that renames an article (a new `slug`) and publishes it in one PATCH keeps the
answer's `meta.html_url` as the article's address; it must be the new one, as the next read
gives it. A draft, or a publication scheduled for later, leaves the address readers use
unchanged until it goes live.
"""

import datetime
import json

import pytest
from django.utils import timezone

from news.models import ArticlePage
from tests.factories import full_article, paragraph, section

TYPE = {"type": "news.ArticlePage"}


@pytest.fixture
def article(index, category):
    page = full_article(index, title="月面着陸", slug="moon-landing", category=category)
    page.save_revision().publish()
    return page


def url(page):
    return f"/api/v3/pages/{page.pk}/"


def patch(client, page, auth, data, action=None):
    tag = client.get(url(page), {"version": "draft"}, **auth)["ETag"]
    meta = {**TYPE, "action": action} if action else TYPE
    return client.patch(
        url(page),
        json.dumps({"meta": meta, **data}),
        content_type="application/json",
        HTTP_IF_MATCH=tag,
        **auth,
    )


def test_publishing_a_new_slug_answers_the_new_address(client, auth, article):
    response = patch(client, article, auth, {"slug": "slim-landing"}, action="publish")

    assert response.status_code == 200, response.content
    meta = response.json()["meta"]
    assert meta["slug"] == "slim-landing"
    assert meta["html_url"] == "http://testserver/ja/articles/slim-landing/"
    assert meta["live"] is True
    # What the next read, and a reader, get.
    assert client.get(url(article)).json()["meta"]["html_url"] == meta["html_url"]
    assert client.get("/ja/articles/slim-landing/").status_code == 200


def test_a_draft_with_a_new_slug_keeps_the_address_readers_use(client, auth, article):
    response = patch(client, article, auth, {"slug": "slim-landing"})

    assert response.status_code == 200, response.content
    meta = response.json()["meta"]
    assert meta["slug"] == "slim-landing"
    assert meta["html_url"] == "http://testserver/ja/articles/moon-landing/"
    assert client.get(url(article)).json()["meta"]["html_url"] == meta["html_url"]


def test_a_new_slug_scheduled_for_later_keeps_the_address_until_then(client, auth, article):
    draft = article.get_latest_revision_as_object()
    draft.go_live_at = timezone.now() + datetime.timedelta(days=3)
    draft.save_revision()  # an editor set a go-live in the admin

    response = patch(client, article, auth, {"slug": "slim-landing"}, action="publish")

    assert response.status_code == 200, response.content
    meta = response.json()["meta"]
    assert meta["scheduled_at"] is not None
    assert meta["html_url"] == "http://testserver/ja/articles/moon-landing/"


def test_publishing_a_draft_article_answers_when_it_was_first_published(client, auth, index):
    page = full_article(index, title="下書き", slug="draft-article", live=False)
    page.save_revision()
    before = timezone.now()

    response = patch(
        client,
        page,
        auth,
        {"slug": "first-flight", "body": [section("One", [paragraph("Lift-off.")])]},
        action="publish",
    )

    assert response.status_code == 200, response.content
    meta = response.json()["meta"]
    assert meta["html_url"] == "http://testserver/ja/articles/first-flight/"
    assert meta["first_published_at"] is not None
    saved = ArticlePage.objects.get(pk=page.pk)
    assert saved.live and saved.first_published_at >= before
    assert meta["first_published_at"] == client.get(url(page)).json()["meta"]["first_published_at"]


def test_a_page_created_and_published_answers_its_address_and_first_publication(
    client, auth, index
):
    data = {
        "meta": {**TYPE, "parent_id": index.pk, "action": "publish"},
        "title": "新しい記事",
        "slug": "new-article",
        "summary": "S.",
        "body": [section("One", [paragraph("Lift-off.")])],
    }

    response = client.post(
        "/api/v3/pages/", json.dumps(data), content_type="application/json", **auth
    )

    assert response.status_code == 201, response.content
    meta = response.json()["meta"]
    assert meta["html_url"] == "http://testserver/ja/articles/new-article/"
    assert meta["live"] is True
    page_id = response.json()["id"]
    assert (
        meta["first_published_at"]
        == client.get(f"/api/v3/pages/{page_id}/").json()["meta"]["first_published_at"]
    )
    assert meta["first_published_at"] is not None


def test_what_a_write_says_of_publishing_is_in_the_document(client, auth, article):
    """meta.live and meta.scheduled_at of a write's answer are declared on its page type's
    meta, so that a generated client types them; reads leave them out."""
    document = client.get("/api/v3/openapi.json").json()
    schemas = document["components"]["schemas"]

    response = patch(client, article, auth, {"title": "SLIM"}, action="publish")

    meta = response.json()["meta"]
    assert {"live", "scheduled_at"} <= set(meta)
    for member in schemas["Page"]["oneOf"]:
        page = schemas[member["$ref"].rsplit("/", 1)[1]]
        meta_schema = schemas[page["properties"]["meta"]["$ref"].rsplit("/", 1)[1]]
        if meta_schema["properties"]["type"]["const"] == "news.ArticlePage":
            assert set(meta) <= set(meta_schema["properties"])
        assert meta_schema["properties"]["live"]["type"] == "boolean"
        assert {"type": "null"} in meta_schema["properties"]["scheduled_at"]["anyOf"]
        assert not {"live", "scheduled_at"} & set(meta_schema["required"])
    assert "live" not in client.get(url(article)).json()["meta"]
