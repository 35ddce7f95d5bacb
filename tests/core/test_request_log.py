"""The request's id and its line in the log (core.middleware.RequestLogMiddleware, core.logs).

These run with the test settings' logging, the text lines of development; the JSON lines of
production are checked on a real server in tests/cms/test_operations.py.
"""

import io
import json
import logging
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from cms.settings.environment import logging_from_env
from core.logs import JsonFormatter, RequestIdFilter, TextFormatter

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def console():
    """What the configured console handler (the settings' LOGGING) writes, as text."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, TextFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def request_lines(caplog):
    return [record for record in caplog.records if record.name == "ukiyo.requests"]


@pytest.mark.parametrize(
    "sent",
    [
        "3f2b8a1c-9d4e-4f6a-8b7c-1d2e3f4a5b6c",
        "Root=1-67891233-abcdef012345678912345678",
        "a" * 128,
    ],
)
def test_a_sane_request_id_is_kept_and_echoed(client, home, sent):
    response = client.get("/ja/", HTTP_X_REQUEST_ID=sent)

    assert response.status_code == 200
    assert response["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "a" * 129,
        "two words",
        "line\nbreak",
        'quote"d',
        "<script>",
        "ñandú",
        "nul\x00byte",
        "{}",
    ],
)
def test_an_insane_request_id_is_replaced_with_a_new_one(client, home, sent):
    response = client.get("/ja/", HTTP_X_REQUEST_ID=sent)

    assert response.status_code == 200
    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_each_request_gets_its_own_id(client, home):
    first = client.get("/ja/")["X-Request-ID"]
    second = client.get("/ja/")["X-Request-ID"]

    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_answers_of_every_kind_carry_the_id(client, home, settings):
    # Refused by the HTTPS redirect, by the host check, by the API, by a missing page.
    settings.SECURE_SSL_REDIRECT = True
    redirect = Client().get("/ja/", HTTP_X_REQUEST_ID="r-1")
    settings.SECURE_SSL_REDIRECT = False
    bad_host = client.get("/ja/", HTTP_HOST="evil.example", HTTP_X_REQUEST_ID="r-2")
    api = client.get("/api/v3/pages/?limit=abc", HTTP_X_REQUEST_ID="r-3")
    missing = client.get("/ja/nowhere/", HTTP_X_REQUEST_ID="r-4")

    assert (redirect.status_code, redirect["X-Request-ID"]) == (301, "r-1")
    assert (bad_host.status_code, bad_host["X-Request-ID"]) == (400, "r-2")
    assert (api.status_code, api["X-Request-ID"]) == (400, "r-3")
    assert (missing.status_code, missing["X-Request-ID"]) == (404, "r-4")


def test_one_line_per_request_without_query_string_or_secrets(client, home, caplog):
    caplog.set_level("INFO", logger="ukiyo.requests")

    response = client.get(
        "/ja/?token=preview-secret&q=what+a+reader+searched",
        HTTP_X_REQUEST_ID="line-1",
        HTTP_AUTHORIZATION="Bearer api-secret",
        HTTP_COOKIE="sessionid=cookie-secret",
    )

    assert response.status_code == 200
    [line] = request_lines(caplog)
    assert line.getMessage().startswith("GET /ja/ 200 ")
    assert (line.method, line.path, line.status, line.user_id) == ("GET", "/ja/", 200, None)
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    assert line.request_id == "line-1"
    written = JsonFormatter().format(line)
    for secret in ("preview-secret", "searched", "api-secret", "cookie-secret", "token"):
        assert secret not in written


def test_the_line_names_a_logged_in_user(client, home, admin_user, caplog):
    client.force_login(admin_user)
    caplog.set_level("INFO", logger="ukiyo.requests")

    client.get("/ja/")

    [line] = request_lines(caplog)
    assert line.user_id == admin_user.pk


def test_a_page_from_the_page_cache_is_logged_without_reading_the_session(
    client, home, caplog, django_assert_num_queries
):
    client.get("/ja/")  # kept
    caplog.set_level("INFO", logger="ukiyo.requests")
    caplog.clear()

    with django_assert_num_queries(0):
        response = client.get("/ja/", HTTP_X_REQUEST_ID="hit")

    assert response["X-Page-Cache"] == "hit"
    assert response["X-Request-ID"] == "hit"
    [line] = request_lines(caplog)
    assert (line.status, line.user_id, line.request_id) == (200, None, "hit")


def test_every_line_of_a_request_carries_its_id(client, home, console):
    client.get("/ja/nowhere/", HTTP_X_REQUEST_ID="traced-404")

    lines = console.getvalue().splitlines()
    # Django's warning about the missing page, and the request's own line.
    assert "WARNING django.request: Not Found: /ja/nowhere/ [request traced-404]" in lines
    assert any(
        line.startswith("INFO ukiyo.requests: GET /ja/nowhere/ 404 ")
        and line.endswith(" [request traced-404]")
        for line in lines
    )


def test_lines_written_outside_a_request_carry_no_id(console):
    logging.getLogger("ukiyo.tests").warning("between requests")

    assert console.getvalue().splitlines() == ["WARNING ukiyo.tests: between requests"]


def test_request_log_off_keeps_the_id_and_drops_the_line(client, home, settings, caplog):
    settings.UKIYO_REQUEST_LOG = False
    caplog.set_level("INFO", logger="ukiyo.requests")

    response = client.get("/ja/", HTTP_X_REQUEST_ID="quiet")

    assert response["X-Request-ID"] == "quiet"
    assert request_lines(caplog) == []


def test_a_json_line_is_one_object_with_the_request_fields():
    record = logging.LogRecord("ukiyo.requests", logging.INFO, __file__, 1, "%s", ("GET",), None)
    record.__dict__.update(
        method="GET", path="/ja/記事/", status=200, duration_ms=1.5, user_id=7, request="nope"
    )
    RequestIdFilter().filter(record)

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry.pop("time").endswith("+00:00")
    assert entry == {
        "level": "INFO",
        "logger": "ukiyo.requests",
        "message": "GET",
        "method": "GET",
        "path": "/ja/記事/",
        "status": 200,
        "duration_ms": 1.5,
        "user_id": 7,
    }


def test_a_json_line_holds_the_traceback_in_one_string():
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        logging_record = logging.LogRecord(
            "ukiyo", logging.ERROR, __file__, 1, "failed", (), __import__("sys").exc_info()
        )

    line = JsonFormatter().format(logging_record)

    assert "\n" not in line
    assert "ValueError: broken\nacross lines" in json.loads(line)["exception"]


def test_log_format_is_json_or_text():
    assert logging_from_env({}, "json")["formatters"]["default"]["()"].endswith("JsonFormatter")
    assert logging_from_env({"LOG_FORMAT": "TEXT"}, "json")["formatters"]["default"]["()"].endswith(
        "TextFormatter"
    )
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logging_from_env({"LOG_FORMAT": "xml"}, "json")
