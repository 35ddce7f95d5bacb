"""Every error of both APIs in one shape, and one wording for one fault.

Problem JSON (``application/problem+json``: ``type``, ``title``, ``status``, ``detail``),
never stored (``private, no-store``); v2's also carry ``message``, the same text as
``detail``. Whichever endpoint a client asks, an unknown language, a path where nothing is
published or a parameter nobody reads is said in the same words.
"""

from http import HTTPStatus

import pytest
from django.core.cache import cache

from tests.factories import ArticlePageFactory

PROBLEM = "application/problem+json"
UNKNOWN_XX = (
    "locale names no language of this site: 'xx' "
    "(its languages: ja, en, zh-hans, es, fr, ko, de, th, hi)."
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def article(index, english_tree):
    return ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == HTTPStatus(status).phrase
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if response.wsgi_request.path.startswith("/api/v3/"):
        assert "message" not in body
    else:
        assert body["message"] == body["detail"]
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= control
    return body


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v2/pages/?locale=xx", 404),
        ("/api/v3/pages/?locale=xx", 404),
        ("/api/v2/pages/9999999/", 404),
        ("/api/v3/pages/9999999/", 404),
        ("/api/v3/pages/abc/", 400),
        ("/api/v2/pages/find/?html_path=/ja/articles/no-such-story/", 404),
        ("/api/v3/pages/find/?html_path=/ja/articles/no-such-story/", 404),
        ("/api/v2/pages/find/?id=9999999", 404),
        ("/api/v3/pages/find/?id=9999999", 404),
        ("/api/v2/pages/find/", 404),
        ("/api/v2/pages/find/?id=99999999999999999999", 404),  # beyond any database's ids
        ("/api/v3/pages/find/?id=99999999999999999999", 404),
        ("/api/v2/pages/?foo=1", 400),
        ("/api/v2/images/?foo=1", 400),
        ("/api/v2/documents/9999999/", 404),
        ("/api/v3/documents/9999999/", 404),
        ("/api/v3/articles/?foo=1", 400),
        ("/api/v3/articles/9999999/", 404),
        ("/api/v2/categories/?locale=xx", 404),
        ("/api/v3/categories/?order=nope", 400),
        ("/api/v2/changes/?limit=0", 400),
        ("/api/v3/changes/?limit=0", 400),
        ("/api/v2/pages/?search=moon&search_operator=xor", 400),
        ("/api/v2/pages/?format=xml", 400),
        ("/api/v2/no-such-endpoint/", 404),
        ("/api/v3/no-such-endpoint/", 404),
        ("/api/no-such-version/", 404),
        ("/api/v3/sites/", 401),
        ("/api/v3/pages/1/revisions/", 401),
        ("/api/v2/preview/", 401),
        ("/api/v3/preview/?token=nonsense", 401),
    ],
)
def test_every_read_error_is_a_problem(client, article, url, status):
    assert_problem(client.get(url), status)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("post", "/api/v2/pages/", 405),
        ("delete", "/api/v2/pages/{id}/", 405),
        ("post", "/api/v2/categories/", 405),
        ("delete", "/api/v2/changes/", 405),
        ("post", "/api/v3/articles/", 405),
        ("put", "/api/v3/pages/{id}/", 405),
        ("delete", "/api/v3/changes/", 405),
        ("post", "/api/v3/pages/", 401),
        ("patch", "/api/v3/pages/{id}/", 401),
        ("post", "/api/v3/pages/{id}/actions/publish/", 401),
    ],
)
def test_every_write_error_is_a_problem_in_english(client, article, method, url, status):
    """Django REST framework words its 405 in the active language (the site's, Japanese)
    and django-ninja answers it in plain text: both say it in English, as problems."""
    response = getattr(client, method)(url.format(id=article.pk), content_type="application/json")

    body = assert_problem(response, status)
    assert body["detail"].isascii()
    if status == 405:
        assert body["detail"].startswith(f"{method.upper()} is not allowed here: use ")
        assert response["Allow"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/?locale=xx",
        "/api/v2/pages/?type=news.ArticlePage&locale=xx&fallback=en",
        "/api/v2/pages/{id}/?locale=xx",
        "/api/v3/pages/?locale=xx",
        "/api/v3/pages/find/?html_path=/ja/articles/moon-landing/&locale=xx",
        "/api/v3/articles/?locale=xx",
        "/api/v3/articles/{id}/?locale=xx",
        "/api/v3/articles/autocomplete/?locale=xx&q=moon",
        "/api/v2/categories/?locale=xx",
        "/api/v3/categories/?locale=xx",
        "/api/v2/authors/?locale=xx",
        "/api/v3/authors/?locale=xx",
        "/api/v2/changes/?locale=xx",
        "/api/v3/changes/?locale=xx",
    ],
)
def test_an_unknown_language_is_said_in_one_wording_everywhere(client, article, url):
    response = client.get(url.format(id=article.pk))

    # A filter of the change feed is a bad parameter (400); anywhere else, as Wagtail has
    # it, the language is a resource that does not exist (404).
    status = 400 if "/changes/" in url else 404
    assert assert_problem(response, status)["detail"] == UNKNOWN_XX


def test_an_unknown_fallback_language_is_said_the_same_way(client, article):
    for url in [
        "/api/v2/pages/?type=news.ArticlePage&locale=en&fallback=xx",
        "/api/v3/articles/?locale=en&fallback=xx",
    ]:
        response = client.get(url)
        assert response.status_code == 400
        assert UNKNOWN_XX.replace("locale", "fallback") in response.content.decode()


def test_a_path_where_nothing_is_published_is_said_the_same_way_in_both_apis(client, article):
    details = {
        api: client.get(
            f"/api/{api}/pages/find/", {"html_path": "/ja/articles/no-such-story/"}
        ).json()["detail"]
        for api in ("v2", "v3")
    }

    assert details == {
        "v2": "No page is published at /ja/articles/no-such-story/.",
        "v3": "No page is published at /ja/articles/no-such-story/.",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/?foo=1",
        "/api/v2/images/?foo=1",
        "/api/v2/documents/?foo=1",
        "/api/v2/categories/?foo=1",
        "/api/v2/changes/?foo=1",
        "/api/v3/articles/?foo=1",
        "/api/v3/categories/?foo=1",
        "/api/v3/changes/?foo=1",
    ],
)
def test_a_parameter_no_endpoint_reads_is_said_the_same_way(client, article, url):
    assert assert_problem(client.get(url), 400)["detail"] == "Unknown query parameter: foo"


@pytest.mark.parametrize("path", ["/articles/no-such-story/", "/ja/articles/no-such-story/", "%"])
def test_any_path_where_nothing_is_published_is_said_alike(client, article, path):
    """With or without a language prefix (Wagtail's own v3 lookup said "No Page matches the
    given query." for a path without one)."""
    details = {
        client.get(f"/api/{api}/pages/find/", {"html_path": path}).json()["detail"]
        for api in ("v2", "v3")
    }

    assert details == {f"No page is published at {path}."}


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_find_tries_the_id_when_nothing_is_published_at_the_path(client, article, api):
    response = client.get(
        f"/api/{api}/pages/find/",
        {"html_path": "/ja/articles/no-such-story/", "id": article.pk},
        follow=True,
    )

    assert response.status_code == 200
    assert response.json()["id"] == article.pk
