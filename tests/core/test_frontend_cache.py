"""Purging the caches in front of ukiyo (core.frontend_cache): what is sent, when, and that a
cache that is down, slow or refusing never fails a publication.

An HTTP cache is played by a small local server that records each PURGE it gets.
"""

import http.server
import logging
import socket
import threading
import time
from contextlib import contextmanager

import pytest
import requests
from django.conf import settings

from cms.settings.environment import CLOUDFLARE, HTTP_PURGE
from core.checks import frontend_caches
from core.frontend_cache import CloudflareBackend, HTTPPurgeBackend
from news.models import ArticlePage
from tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db


class RecordingCache(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Varnish and nginx
    status = 200

    def do_PURGE(self):
        self.server.purges.append((self.headers["Host"], self.path, self.client_address))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def recording_cache(status=200):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RecordingCache)
    server.purges, server.status = [], status
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def location(server):
    return f"http://127.0.0.1:{server.server_address[1]}"


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面に着陸", slug="月面着陸")


def test_purges_go_out_after_the_commit_with_the_urls_host_and_an_encoded_path(
    django_capture_on_commit_callbacks,
):
    urls = [
        "https://news.example/ja/articles/月面着陸/",
        "https://news.example/ja/articles/?page=2",
        "http://news.example:8080/th/บทความ/",
    ]
    with recording_cache() as cache:
        backend = HTTPPurgeBackend({"LOCATION": location(cache)})
        with django_capture_on_commit_callbacks(execute=True):
            backend.purge_batch(urls)
            assert cache.purges == []  # not before the commit
        hosts_and_paths = [(host, path) for host, path, _ in cache.purges]
        clients = {client for _, _, client in cache.purges}
    assert hosts_and_paths == [
        ("news.example", "/ja/articles/%E6%9C%88%E9%9D%A2%E7%9D%80%E9%99%B8/"),
        ("news.example", "/ja/articles/?page=2"),
        ("news.example:8080", "/th/%E0%B8%9A%E0%B8%97%E0%B8%84%E0%B8%A7%E0%B8%B2%E0%B8%A1/"),
    ]
    assert len(clients) == 1, "one connection for the whole batch"


def test_publishing_purges_the_page_in_its_own_language_only(
    settings, article, django_capture_on_commit_callbacks
):
    """Wagtail's own handler purges the published page; ukiyo does not let Wagtail repeat each
    URL under the other eight language prefixes (WAGTAILFRONTENDCACHE_LANGUAGES)."""
    with recording_cache() as cache:
        settings.WAGTAILFRONTENDCACHE = {
            "varnish": {"BACKEND": HTTP_PURGE, "LOCATION": location(cache)}
        }
        with django_capture_on_commit_callbacks(execute=True):
            article.save_revision().publish()
        paths = [path for _, path, _ in cache.purges]
    slug = "%E6%9C%88%E9%9D%A2%E7%9D%80%E9%99%B8"
    assert f"/ja/articles/{slug}/" in paths
    assert [path for path in paths if path.endswith(f"/{slug}/")] == [f"/ja/articles/{slug}/"]


def test_a_new_slug_purges_the_old_url_too(settings, article, django_capture_on_commit_callbacks):
    """Wagtail's redirects app purges the URL a page leaves when its slug changes, as its
    redirect names it: without the trailing slash (the VCL takes both for one page)."""
    with recording_cache() as cache:
        settings.WAGTAILFRONTENDCACHE = {
            "varnish": {"BACKEND": HTTP_PURGE, "LOCATION": location(cache)}
        }
        article.slug = "moon"
        with django_capture_on_commit_callbacks(execute=True):
            article.save_revision().publish()
        paths = {path for _, path, _ in cache.purges}
    assert {"/ja/articles/%E6%9C%88%E9%9D%A2%E7%9D%80%E9%99%B8", "/ja/articles/moon/"} <= paths


def test_a_cache_that_is_down_never_fails_a_publication(
    settings, article, caplog, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {"BACKEND": HTTP_PURGE, "LOCATION": f"http://127.0.0.1:{closed_port()}"}
    }
    article.title = "月面着陸に成功"
    with (
        caplog.at_level(logging.ERROR, logger="core.frontend_cache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        article.save_revision().publish()
    assert ArticlePage.objects.get(pk=article.pk).title == "月面着陸に成功"
    [record] = [r for r in caplog.records if r.name == "core.frontend_cache"]
    assert record.levelno == logging.ERROR
    assert "Could not purge http://testserver/ja/articles/" in record.getMessage()
    assert "ConnectionRefusedError" in record.getMessage()


def test_a_batch_ends_at_the_first_failure_and_says_how_many_urls_were_not_purged(
    caplog, django_capture_on_commit_callbacks
):
    backend = HTTPPurgeBackend({"LOCATION": f"http://127.0.0.1:{closed_port()}"})
    with (
        caplog.at_level(logging.ERROR, logger="core.frontend_cache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        backend.purge_batch([f"https://news.example/ja/{n}/" for n in range(3)])
    [record] = caplog.records
    assert "Could not purge https://news.example/ja/0/" in record.getMessage()
    assert "2 more URL(s) of this change not purged either" in record.getMessage()


def test_a_cache_that_does_not_answer_costs_one_timeout_per_change(
    caplog, django_capture_on_commit_callbacks
):
    # A socket that accepts connections (the kernel's backlog) and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        backend = HTTPPurgeBackend({"LOCATION": f"http://127.0.0.1:{port}", "TIMEOUT": 0.3})
        started = time.monotonic()
        with (
            caplog.at_level(logging.ERROR, logger="core.frontend_cache"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            backend.purge_batch([f"https://news.example/ja/{n}/" for n in range(5)])
        elapsed = time.monotonic() - started
    assert elapsed < 1.2
    [record] = caplog.records
    assert "TimeoutError" in record.getMessage()
    assert "4 more URL(s)" in record.getMessage()


def test_a_cache_that_refuses_is_logged_with_its_answer(caplog, django_capture_on_commit_callbacks):
    with recording_cache(status=403) as cache:
        backend = HTTPPurgeBackend({"LOCATION": location(cache)})
        with (
            caplog.at_level(logging.ERROR, logger="core.frontend_cache"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            backend.purge_batch(["https://news.example/ja/", "https://news.example/en/"])
        assert len(cache.purges) == 1
    [record] = caplog.records
    assert "refused to purge https://news.example/ja/ (403 Forbidden)" in record.getMessage()
    assert "1 more URL(s)" in record.getMessage()


def test_an_http_cache_answering_404_has_nothing_to_purge(
    caplog, django_capture_on_commit_callbacks
):
    """nginx's purge answers 404 for a URL it has not stored: not a failure."""
    with recording_cache(status=404) as cache:
        backend = HTTPPurgeBackend({"LOCATION": location(cache)})
        with (
            caplog.at_level(logging.ERROR, logger="core.frontend_cache"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            backend.purge_batch(["https://news.example/ja/", "https://news.example/en/"])
        assert len(cache.purges) == 2
    assert caplog.records == []


def test_cloudflare_unreachable_is_logged_not_raised(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise requests.ConnectionError("Name or service not known")

    monkeypatch.setattr(requests, "post", unreachable)
    backend = CloudflareBackend({"ZONEID": "0" * 32, "BEARER_TOKEN": "token"})
    with (
        caplog.at_level(logging.ERROR, logger="core.frontend_cache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        backend.purge_batch(["https://news.example/ja/", "https://news.example/en/"])
    [record] = [r for r in caplog.records if r.name == "core.frontend_cache"]
    assert "Could not purge 2 URL(s) from Cloudflare" in record.getMessage()
    assert "Name or service not known" in str(record.exc_info[1])


def test_the_check_names_a_cache_that_cannot_be_set_up(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": CLOUDFLARE, "ZONEID": "0" * 32},
        "varnish": {"BACKEND": HTTP_PURGE},
    }
    errors = frontend_caches(None)
    assert [error.id for error in errors] == ["ukiyo.E031", "ukiyo.E031"]
    assert errors[0].msg.startswith("WAGTAILFRONTENDCACHE['cdn'] cannot purge: ")
    assert "BEARER_TOKEN" in errors[0].msg
    assert "LOCATION" in errors[1].msg


def test_the_check_accepts_what_the_environment_gives(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "http": {"BACKEND": HTTP_PURGE, "LOCATION": "http://127.0.0.1:6081"},
        "cloudflare": {"BACKEND": CLOUDFLARE, "ZONEID": "0" * 32, "BEARER_TOKEN": "token"},
    }
    assert frontend_caches(None) == []


def test_wagtails_api_purging_is_refused_as_it_would_fail_every_publication(settings):
    settings.WAGTAILAPI_USE_FRONTENDCACHE = True
    assert [error.id for error in frontend_caches(None)] == ["ukiyo.E030"]


def test_the_test_settings_purge_nothing():
    assert settings.WAGTAILFRONTENDCACHE == {}
