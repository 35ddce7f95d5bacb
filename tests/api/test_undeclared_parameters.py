"""Every v3 operation takes the query parameters its document declares, and refuses any other.

``/api/v3/pages/57/?locale=th`` answered the Japanese page as if it were the Thai one; a
parameter an operation does not read is now a 400 naming it, in every operation of the
document, Wagtail's included. Wagtail's listings still filter by their fields (``?slug=``).
"""

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import full_article

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi-v3.json"
UNKNOWN = "Unknown query parameter: "


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def article(index, category):
    page = full_article(index, title="月面着陸", slug="moon-landing", category=category)
    page.save_revision().publish()
    return page


def refused(response, name):
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == UNKNOWN + name


@pytest.mark.parametrize("api", ["pages", "articles"])
def test_a_page_asked_for_in_a_language_it_is_not_in(client, article, api):
    """The pages detail has no language parameter: refused. The article detail has one."""
    response = client.get(f"/api/v3/{api}/{article.pk}/", {"locale": "th"})

    if api == "pages":
        refused(response, "locale")
    else:
        assert response.status_code == 404  # no Thai article, no fallback asked for


def operations():
    document = json.loads(SNAPSHOT.read_text())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield pytest.param(path, method, id=operation["operationId"])


@pytest.mark.parametrize(("path", "method"), operations())
def test_every_operation_refuses_what_it_does_not_declare(client, article, auth, path, method):
    """Whatever else would answer (a 404, a 403), the undeclared parameter is named first."""
    url = re.sub(r"\{[^}]+\}", "1", path) + "?frobnicate=1"
    if "{type}" in path:
        url = url.replace("/snippets/1/", "/snippets/news.Category/")

    response = getattr(client, method)(url, **auth)

    refused(response, "frobnicate")


def test_listings_still_filter_by_their_fields(client, article):
    by_slug = client.get("/api/v3/pages/", {"slug": "moon-landing"})
    articles = client.get("/api/v3/pages/", {"type": "news.ArticlePage", "featured": "false"})

    assert by_slug.status_code == articles.status_code == 200
    assert [page["id"] for page in by_slug.json()["items"]] == [article.pk]
    assert article.pk in [page["id"] for page in articles.json()["items"]]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v3/pages/?local=en", "local"),  # a typo would list every language
        ("/api/v3/pages/?featured=true", "featured"),  # an article's field, without type
        ("/api/v3/images/?locale=ja", "locale"),
        ("/api/v3/documents/?q=kit", "q"),
        ("/api/v3/snippets/news.Category/?frobnicate=1", "frobnicate"),
        ("/api/v3/redirects/?html_path=/old", "html_path"),
    ],
)
def test_listings_refuse_what_is_neither_declared_nor_a_field(client, article, url, name):
    refused(client.get(url), name)


def test_find_passes_what_it_declares_on_to_the_detail(client, article):
    found = client.get(
        "/api/v3/pages/find/",
        {
            "html_path": "/ja/articles/moon-landing/",
            "site": "testserver",
            "rich_text_format": "markdown",
        },
    )
    assert found.status_code == 302

    response = client.get(found["Location"], follow=True)

    assert response.status_code == 200, response.content
    assert response.json()["id"] == article.pk


def test_the_detail_of_a_page_of_another_site_is_a_404(client, article):
    """``site``, which find's redirect keeps, is read by the detail: declared, and honoured."""
    assert client.get(f"/api/v3/pages/{article.pk}/", {"site": "testserver"}).status_code == 200
    assert client.get(f"/api/v3/pages/{article.pk}/", {"site": "elsewhere"}).status_code == 404


def test_the_document_declares_what_the_detail_and_find_read(client, db):
    document = client.get("/api/v3/openapi.json").json()
    declared = {
        operation["operationId"]: {
            parameter["name"]
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query"
        }
        for item in document["paths"].values()
        for operation in item.values()
    }

    assert declared["pages_detail"] == {"version", "rich_text_format", "site"}
    assert {"rich_text_format", "site", "locale", "fallback"} <= declared["pages_find"]
