"""While the database is away, readers and API clients are asked to come back (503 with
Retry-After), never shown a 500 (cms.views.server_error).

Django calls the 500 handler while it handles the exception nobody answered; these tests
call it the same way, inside the ``except`` of a database error. The same answers from a
real server whose PostgreSQL is stopped and started again: tests/cms/test_operations.py.
"""

import json

import pytest
from django.db import DataError, IntegrityError, InterfaceError, OperationalError

from cms.views import server_error

REFUSED = 'connection to server at "10.0.0.5", port 5432 failed: Connection refused'


def handled(request, error):
    try:
        raise error
    except type(error):
        return server_error(request)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError(REFUSED),
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_reader_is_asked_to_come_back(rf, settings, error):
    settings.UKIYO_DATABASE_RETRY_AFTER = 15

    response = handled(rf.get("/fr/articles/lune/?page=2"), error)

    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Nous revenons tout de suite" in html
    assert 'href="/fr/articles/lune/?page=2"' in html
    # Nothing of the error reaches the reader.
    assert "10.0.0.5" not in html
    assert "Traceback" not in html


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/ja/", "まもなく再開します"),
        ("/en/", "We will be right back"),
        ("/zh-hans/", "我们马上回来"),
        ("/hi/search/", "हम जल्द ही लौटेंगे"),
        ("/th/", "เราจะกลับมาในอีกไม่ช้า"),
    ],
)
def test_the_page_speaks_the_language_of_the_path(rf, path, words):
    response = handled(rf.get(path), OperationalError(REFUSED))

    assert response.status_code == 503
    assert words in response.content.decode()


@pytest.mark.parametrize(
    ("path", "body_has_message"),
    [("/api/v3/pages/", False), ("/api/v2/pages/", True)],
)
def test_an_api_client_gets_problem_json(rf, path, body_has_message):
    response = handled(rf.get(path), OperationalError(REFUSED))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "10"
    problem = json.loads(response.content)
    assert problem["status"] == 503
    assert problem["title"] == "Service Unavailable"
    assert "Retry-After" in problem["detail"]
    assert ("message" in problem) is body_has_message
    assert "10.0.0.5" not in response.content.decode()


def test_the_admin_gets_the_page_too(rf):
    response = handled(rf.get("/admin/pages/"), OperationalError(REFUSED))

    assert response.status_code == 503
    assert b"<html" in response.content


@pytest.mark.parametrize(
    "error", [IntegrityError("duplicate key"), DataError("value too long"), KeyError("x")]
)
def test_other_errors_stay_500(rf, error):
    """A bug is not an outage: trying again would not help."""
    assert handled(rf.get("/ja/"), error).status_code == 500
    api = handled(rf.get("/api/v3/pages/"), error)
    assert api.status_code == 500
    assert api["Content-Type"] == "application/problem+json"
    assert json.loads(api.content) == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Internal server error.",
    }


def test_without_the_page_a_line_of_plain_text(rf, settings, tmp_path, caplog):
    """A deployment without collectstatic: the page's stylesheet has no address."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path

    response = handled(rf.get("/ja/"), OperationalError(REFUSED))

    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Retry-After"] == "10"
    assert response.content == b"Service temporarily unavailable. Please try again in a moment.\n"
    assert "The 503 page could not be rendered" in caplog.text
