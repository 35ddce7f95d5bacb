"""``HEAD`` on every read of both APIs answers as ``GET`` does, without the body.

Monitors and CDNs check a resource with ``HEAD``: they get the status, Cache-Control, ETag,
Vary and Content-Type a ``GET`` gets, and a ``304`` for an unchanged ``If-None-Match``. Every
``GET`` path of the v3 document is walked (its snapshot, so that a new read is walked as soon
as it is published), and every v2 endpoint.
"""

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import APIToken, Site

from tests.factories import AuthorFactory, ImageFactory, add_author, full_article

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi-v3.json"
COMPARED = ("Cache-Control", "ETag", "Vary", "Content-Type", "Content-Length", "Allow")
# What a read needs besides its path to answer 200 (or its redirect).
QUERIES = {
    "/api/v3/articles/autocomplete/": "?q=moon&locale=ja",
    "/api/v3/pages/find/": "?html_path=/ja/articles/moon-landing/",
    "/api/v3/redirects/find/": "?html_path=/old",
}
# Reads that answer an error here, and why: HEAD must answer it all the same.
ERRORS = {
    "/api/v3/preview/": "a preview token from the admin",
    "/api/v3/snippets/{type}/{pk}/revisions/": "no snippet type keeps revisions",
    "/api/v3/snippets/{type}/{pk}/revisions/{revision_id}/": "no snippet type keeps revisions",
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def things(index, category, admin_user):
    """One of everything a v3 path names, by the name of its path parameter."""
    image = ImageFactory()
    author = AuthorFactory(name="青木", slug="aoki", locale=category.locale)
    article = full_article(index, title="月面着陸", slug="moon-landing", category=category)
    article.lead_image = image
    article.save_revision().publish()
    add_author(article, author)
    document = get_document_model().objects.create(title="Press kit")
    document.file.save("press-kit.txt", ContentFile(b"kit"))
    redirect = Redirect.objects.create(old_path="/old", redirect_page=article)
    _, plaintext = APIToken.create_token(user=admin_user, name="monitor")
    return {
        "page_id": article.pk,
        "article_id": article.pk,
        "revision_id": article.latest_revision_id,
        "author_id": author.pk,
        "category_id": category.pk,
        "image_id": image.pk,
        "document_id": document.pk,
        "redirect_id": redirect.pk,
        "site_id": Site.objects.get(is_default_site=True).pk,
        "type_name": "news.ArticlePage",
        "type": "news.Category",
        "pk": category.pk,
        "token": {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"},
    }


def v3_reads():
    document = json.loads(SNAPSHOT.read_text())
    return sorted(path for path, item in document["paths"].items() if "get" in item)


def v2_reads():
    return [
        "/api/v2/pages/",
        "/api/v2/pages/{page_id}/",
        "/api/v2/pages/find/?html_path=/ja/articles/moon-landing/",
        "/api/v2/images/",
        "/api/v2/images/{image_id}/",
        "/api/v2/documents/",
        "/api/v2/documents/{document_id}/",
        "/api/v2/categories/",
        "/api/v2/categories/{category_id}/",
        "/api/v2/authors/",
        "/api/v2/authors/{author_id}/",
        "/api/v2/changes/",
    ]


def filled(path, things):
    url = re.sub(r"\{([^}]+)\}", lambda match: str(things[match.group(1)]), path)
    return url + QUERIES.get(path, "")


def compared(response):
    return response.status_code, {name: response.get(name) for name in COMPARED}


@pytest.mark.parametrize("token", [False, True], ids=["anonymous", "token"])
@pytest.mark.parametrize("path", v3_reads() + v2_reads())
def test_head_answers_as_get_does(client, things, path, token):
    url = filled(path, things)
    headers = things["token"] if token else {}

    # HEAD first: an answer kept on the server by a GET must not be what makes it work.
    head = client.head(url, **headers)
    get = client.get(url, **headers)

    assert head.status_code != 405, head.get("Allow")
    assert compared(head) == compared(get)
    assert head.content == b""


def test_the_walk_reaches_the_reads(client, things):
    """The walk proves something only where a read answers what it is for."""
    failing = {
        path
        for path in v3_reads() + v2_reads()
        if client.get(filled(path, things), **things["token"]).status_code not in (200, 302)
    }

    assert failing == set(ERRORS)


@pytest.mark.parametrize(
    "path", ["/api/v3/pages/{page_id}/", "/api/v3/articles/", "/api/v2/pages/{page_id}/"]
)
@pytest.mark.parametrize("token", [False, True], ids=["anonymous", "token"])
def test_a_conditional_head_is_304(client, things, path, token):
    url = filled(path, things)
    headers = things["token"] if token else {}
    etag = client.get(url, **headers)["ETag"]

    head = client.head(url, HTTP_IF_NONE_MATCH=etag, **headers)

    if token and path == "/api/v3/pages/{page_id}/":
        # A token holder's page carries its revision's tag, for If-Match: never compared.
        assert head.status_code == 200
    else:
        assert head.status_code == 304
    assert head["ETag"] == etag
    assert head.content == b""


def test_a_405_names_head_wherever_get_is_allowed(client, things):
    response = client.put(filled("/api/v3/pages/{page_id}/", things), **things["token"])

    assert response.status_code == 405
    allowed = {method.strip() for method in response["Allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed


def test_head_on_a_write_only_path_is_405(client, things):
    response = client.head(filled("/api/v3/pages/{page_id}/actions/publish/", things))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
