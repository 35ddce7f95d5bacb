"""IndexNow: pings queued after the commit of a change, sent by the worker to a real HTTP
server on 127.0.0.1 standing for the IndexNow endpoint."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import checks
from django_tasks_db.models import DBTaskResult
from wagtail.models import PageViewRestriction

from discovery import indexnow
from tests.factories import ArticlePageFactory
from tests.webhooks.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KEY = "0f3c9a2e7b1d4c5f8a6e"


class Endpoint:
    """An HTTP server that records each POST and answers with ``status``."""

    def __init__(self):
        self.requests = []
        self.status = 200
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                endpoint.requests.append(
                    {
                        "path": self.path,
                        "type": self.headers["Content-Type"],
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                self.send_response(endpoint.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/indexnow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint(settings):
    server = Endpoint()
    settings.UKIYO_INDEXNOW_KEY = KEY
    settings.UKIYO_INDEXNOW_ENDPOINT = server.url
    yield server
    server.close()


def queued():
    return DBTaskResult.objects.filter(task_path="discovery.indexnow.ping").count()


def test_the_key_is_served_at_the_root_only_when_set(client, home, settings):
    assert client.get("/indexnow-key.txt").status_code == 404

    settings.UKIYO_INDEXNOW_KEY = KEY
    response = client.get("/indexnow-key.txt")

    assert response.status_code == 200
    assert response.content.decode() == KEY
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_a_publication_is_pinged_by_the_worker_not_the_editors_request(endpoint, index):
    article = ArticlePageFactory(parent=index, slug="quake")
    article.save_revision().publish()

    assert endpoint.requests == []  # nothing left the publishing request
    assert queued() >= 1
    run_worker()

    bodies = [request["body"] for request in endpoint.requests]
    assert bodies[-1] == {
        "host": "testserver",
        "key": KEY,
        "keyLocation": "http://testserver/indexnow-key.txt",
        "urlList": ["http://testserver/ja/articles/quake/"],
    }
    assert endpoint.requests[-1]["type"] == "application/json; charset=utf-8"
    assert endpoint.requests[-1]["path"] == "/indexnow"


def test_a_move_names_the_new_and_the_old_address(endpoint, index):
    article = ArticlePageFactory(parent=index, slug="quake")
    run_worker()
    endpoint.requests.clear()

    article.slug = "earthquake"
    article.save_revision().publish()
    run_worker()

    urls = {url for request in endpoint.requests for url in request["body"]["urlList"]}
    assert urls == {
        "http://testserver/ja/articles/earthquake/",
        "http://testserver/ja/articles/quake/",
    }


def test_an_unpublication_is_pinged(endpoint, index):
    article = ArticlePageFactory(parent=index, slug="retracted")
    run_worker()
    endpoint.requests.clear()

    article.unpublish()
    run_worker()

    assert [r["body"]["urlList"] for r in endpoint.requests] == [
        ["http://testserver/ja/articles/retracted/"]
    ]


def test_nothing_is_queued_without_a_key_or_for_a_private_page(endpoint, index, settings):
    private = ArticlePageFactory(parent=index, slug="members")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    DBTaskResult.objects.all().delete()

    private.save_revision().publish()
    assert queued() == 0

    settings.UKIYO_INDEXNOW_KEY = ""
    ArticlePageFactory(parent=index).save_revision().publish()
    assert queued() == 0


@pytest.mark.parametrize("status", [403, 429, 500])
def test_a_refusal_is_logged_and_nothing_else(endpoint, index, status, caplog):
    endpoint.status = status
    with caplog.at_level(logging.WARNING, logger="discovery.indexnow"):
        assert indexnow.send(["http://testserver/ja/articles/a/"]) == {"testserver": status}

    assert f"IndexNow answered {status}" in caplog.text


def test_an_unreachable_endpoint_is_logged(endpoint, settings, caplog):
    endpoint.close()
    with caplog.at_level(logging.WARNING, logger="discovery.indexnow"):
        assert indexnow.send(["http://testserver/ja/"]) == {"testserver": None}

    assert "could not be reached" in caplog.text


def test_urls_of_two_hosts_make_two_pings(endpoint):
    indexnow.send(
        ["https://news.example/ja/a/", "https://other.example/en/b/", "https://news.example/ja/a/"]
    )

    assert sorted((r["body"]["host"], r["body"]["urlList"]) for r in endpoint.requests) == [
        ("news.example", ["https://news.example/ja/a/"]),
        ("other.example", ["https://other.example/en/b/"]),
    ]
    assert {r["body"]["keyLocation"] for r in endpoint.requests} == {
        "https://news.example/indexnow-key.txt",
        "https://other.example/indexnow-key.txt",
    }


@pytest.mark.parametrize(
    ("key", "endpoint_url", "ids"),
    [
        ("short", "https://api.indexnow.org/indexnow", ["ukiyo.E040"]),
        ("has space in it", "https://api.indexnow.org/indexnow", ["ukiyo.E040"]),
        (KEY, "ftp://example.com/", ["ukiyo.E041"]),
        (KEY, "https://api.indexnow.org/indexnow", []),
        ("", "https://api.indexnow.org/indexnow", []),
    ],
)
def test_the_deployment_check_refuses_what_indexnow_would(settings, key, endpoint_url, ids):
    settings.UKIYO_INDEXNOW_KEY = key
    settings.UKIYO_INDEXNOW_ENDPOINT = endpoint_url

    found = [error.id for error in indexnow.indexnow_settings(None)]

    assert found == ids
    assert all(isinstance(error, checks.Error) for error in indexnow.indexnow_settings(None))
