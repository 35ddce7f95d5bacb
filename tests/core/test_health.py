"""/healthz and /readyz: what a load balancer or an orchestrator asks, answered before
anything that could refuse, redirect, cache or log the question (core.health)."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

HEALTH_PATHS = ["/healthz", "/readyz"]


def test_healthz_answers_without_the_database(client):
    # No database access is allowed in this test (no django_db mark): pytest-django would
    # fail on any query, connection included.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Length"] == "3"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_reports_each_check(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "storage"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], int)


@pytest.mark.django_db
@pytest.mark.parametrize("path", HEALTH_PATHS)
def test_health_checks_skip_the_host_check_https_language_and_caches(client, settings, path):
    """A load balancer asks by the server's own address, over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["news.example"]

    response = client.get(
        path, HTTP_HOST="10.0.0.7:8000", HTTP_ACCEPT_LANGUAGE="fr", HTTP_X_REQUEST_ID="probe"
    )

    assert response.status_code == 200
    assert "Location" not in response
    assert not response.cookies
    for header in ("Vary", "Content-Language", "X-Page-Cache", "X-Request-ID", "Set-Cookie"):
        assert header not in response, header
    # Nothing a CDN or a proxy may keep.
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", HEALTH_PATHS)
def test_health_checks_take_no_body(client, path):
    response = client.post(path, data=b"x" * 1000, content_type="application/octet-stream")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("path", HEALTH_PATHS)
def test_head_asks_without_a_body(client, path):
    response = client.head(path)

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
def test_health_checks_leave_no_line_in_the_request_log(client, caplog):
    caplog.set_level("INFO", logger="ukiyo.requests")
    client.get("/healthz")
    client.get("/readyz")

    assert [record for record in caplog.records if record.name == "ukiyo.requests"] == []


@pytest.mark.django_db
def test_only_the_exact_paths_are_health_checks(client):
    # Anything else is a reader's path like any other: a language redirect, then a 404.
    response = client.get("/healthz/")
    assert response.status_code == 302
    assert response["Location"] == "/ja/healthz/"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_readyz_is_503_while_the_media_storage_cannot_be_written(client, settings, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    settings.MEDIA_ROOT = tmp_path / "taken" / "media"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["storage"] == {
        "ok": False,
        "ms": body["checks"]["storage"]["ms"],
        "error": "StorageUnavailable",
    }
    assert body["checks"]["database"]["ok"] is True


def failing_check():
    raise ConnectionRefusedError("storage.internal:9000 refused the connection")


def hanging_check():
    time.sleep(5)


@pytest.mark.django_db
def test_a_failing_check_makes_readyz_503_without_its_details(client, settings, caplog):
    settings.UKIYO_READINESS_CHECKS = {
        **settings.UKIYO_READINESS_CHECKS,
        "storage": "tests.core.test_health.failing_check",
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["storage"]["error"] == "ConnectionRefusedError"
    # The host name is for the log, not for whoever asks.
    assert b"storage.internal" not in response.content
    assert "storage.internal:9000" in caplog.text


@pytest.mark.django_db
def test_a_check_that_hangs_costs_the_timeout_and_no_more(client, settings):
    settings.UKIYO_READINESS_TIMEOUT = 0.5
    settings.UKIYO_READINESS_CHECKS = {"slow": "tests.core.test_health.hanging_check"}

    started = time.monotonic()
    response = client.get("/readyz")
    seconds = time.monotonic() - started

    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["slow"] == {
        "ok": False,
        "ms": 500,
        "error": "timeout",
    }
    assert seconds < 3
    # The check's thread finishes on its own, in the background.
    assert any(thread.name == "readiness-slow" for thread in threading.enumerate())


@pytest.mark.django_db
def test_a_cache_server_that_refuses_makes_readyz_503(client, settings):
    """Redis on a port where nothing listens: the cache check names the failure."""
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"] == {
        "ok": False,
        "ms": body["checks"]["cache"]["ms"],
        "error": "ConnectionError",
    }


def test_a_site_without_a_bucket_loads_no_s3_client():
    """The storage module (and boto3 with it) is read when the storage is checked, not when
    the site starts: a site without a bucket never needs it."""
    code = (
        "import django, sys; django.setup(); import core.health; "
        "print('boto3' in sys.modules, 'core.storage' in sys.modules)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MEDIA_")}
    environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=False
    )
    assert result.stdout.split() == ["False", "False"], result.stderr[-2000:]
