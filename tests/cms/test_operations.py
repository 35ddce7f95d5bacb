"""ukiyo as it runs in production, seen from outside: a gunicorn started by scripts/serve with
the production settings, on a PostgreSQL cluster of this module's own that the tests stop
and start (tests/postgres.py; the suite's shared database is never stopped).

- While PostgreSQL is down, readers get a 503 page in their language and API clients a 503
  problem, both with Retry-After; pages the page cache holds are still served; /readyz says
  503, /healthz 200. Once PostgreSQL is back, the same server process answers 200 again.
- Every line the server writes is JSON; each request has one line, under its request id.
- On SIGTERM the server finishes the request in hand, then exits.
- The webhook worker waits out an outage of PostgreSQL and goes on delivering afterwards.

The cluster starts as a copy of the suite's test database (its tables, and what the
migrations wrote: the Japanese home page). Static files come from the apps' folders
(tests/served_settings.py), so that no collectstatic is needed.
"""

import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.postgres import copy_of_test_database, free_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 90
# Variables of the environment the tests' server must not inherit.
SERVER_VARIABLES = {
    "BIND",
    "PORT",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "WEB_GRACEFUL_TIMEOUT",
    "WEB_PRELOAD",
    "ACCESS_LOG",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "REQUEST_LOG",
    "GUNICORN_CMD_ARGS",
    "CACHE_URL",
    "PAGE_CACHE_URL",
    "DJANGO_SETTINGS_MODULE",
}
# A reader's request as the proxy in front passes it on (HTTPS ended at the proxy).
FROM_PROXY = {"X-Forwarded-Proto": "https"}


def search(words):
    """The Japanese search results page for ``words``: read from the database the first time
    (the page cache keeps it afterwards)."""
    return "/ja/search/?q=" + quote(words)


# The tests read no database themselves; the mark makes the suite create its test database,
# which the cluster starts as a copy of.
pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    errors: Path

    def request(self, method, path, headers=None, body=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path, **headers):
        return self.request("GET", path, headers={**FROM_PROXY, **headers})

    def log_lines(self):
        """Every line the server wrote to standard error (its log), parsed as JSON."""
        return [json.loads(line) for line in self.errors.read_text().splitlines() if line]

    def stop(self):
        """Stop at once (QUIT: the tests are done with it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def cluster(django_db_setup, tmp_path_factory):
    with copy_of_test_database() as cluster:
        yield cluster


def start_server(cluster, folder, **environ):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in SERVER_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.served_settings",
        PYTHON=sys.executable,
        DATABASE_URL=cluster.url,
        SECRET_KEY="operations-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        **environ,
    )
    errors = folder / "server.err"
    with (folder / "server.out").open("w") as out, errors.open("w") as err:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--no-setup"], cwd=ROOT, env=env, stdout=out,
            stderr=err,
        )  # fmt: skip
    server = Server(port=port, process=process, errors=errors)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped at once:\n{errors.read_text()}", pytrace=False)
        try:
            if server.request("GET", "/healthz", timeout=5).status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    pytest.fail(f"the server did not answer within {START_SECONDS} s:\n{errors.read_text()}")


@pytest.fixture(scope="module")
def server(cluster, tmp_path_factory):
    server = start_server(cluster, tmp_path_factory.mktemp("server"))
    yield server
    server.stop()


def test_an_outage_of_postgresql_answers_503_and_the_server_recovers_alone(cluster, server):
    home = server.get("/ja/")
    assert home.status == 200
    assert server.get("/ja/").headers["X-Page-Cache"] == "hit"
    assert server.get(search("月")).status == 200
    assert server.get("/readyz").status == 200

    cluster.stop()
    try:
        ready = server.get("/readyz")
        alive = server.get("/healthz")
        kept = server.get("/ja/", **{"X-Request-ID": "outage-kept"})
        searched = server.get(search("月面"), **{"X-Request-ID": "outage-search"})
        english = server.get("/en/", **{"Accept-Language": "en"})
        v3 = server.get("/api/v3/pages/", **{"X-Request-ID": "outage-api"})
        v2 = server.get("/api/v2/pages/")
        admin = server.get("/admin/login/")
        more = [
            server.get(path).status for path in (search("着陸"), "/api/v3/pages/") for _ in range(5)
        ]
    finally:
        cluster.start()

    # The load balancer takes the server out; the orchestrator leaves it running.
    assert ready.status == 503
    checks = ready.json()["checks"]
    assert checks["database"]["ok"] is False
    assert checks["database"]["error"] == "OperationalError"
    assert checks["cache"]["ok"] is True
    assert alive.status == 200
    # A page the page cache holds needs no database.
    assert (kept.status, kept.headers["X-Page-Cache"]) == (200, "hit")
    # Everything else: come back later, in the reader's language or as problem JSON.
    for answer in (searched, english, admin):
        assert answer.status == 503, answer.text
        assert answer.headers["Retry-After"] == "10"
        assert "no-store" in answer.headers["Cache-Control"]
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Traceback" not in answer.text
    assert '<html lang="ja" dir="ltr">' in searched.text
    assert "まもなく再開します" in searched.text
    assert "We will be right back" in english.text
    assert searched.headers["X-Request-ID"] == "outage-search"
    for answer in (v3, v2):
        assert answer.status == 503, answer.text
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.headers["Retry-After"] == "10"
        assert answer.json()["status"] == 503
    assert more == [503] * 10

    # PostgreSQL is back: the same process answers, with a new connection.
    recovered = server.get(search("月面"))
    assert recovered.status == 200, recovered.text
    assert server.get("/api/v3/pages/").status == 200
    assert server.get("/readyz").status == 200
    # A restart between two requests: the kept connection is found dead before it is used
    # (CONN_HEALTH_CHECKS), and the next request simply gets a new one.
    cluster.stop()
    cluster.start()
    assert server.get(search("宇宙")).status == 200
    assert server.get("/api/v3/pages/").status == 200

    lines = server.log_lines()  # every line is JSON, gunicorn's own too
    assert sum("Booting worker" in line["message"] for line in lines) == 1
    assert not any("Traceback" in line.get("exception", "") for line in lines)
    by_id = {line.get("request_id"): line for line in lines if line["logger"] == "ukiyo.requests"}
    assert by_id["outage-search"]["status"] == 503
    assert by_id["outage-search"]["path"] == "/ja/search/"
    assert by_id["outage-kept"]["status"] == 200
    outage_warnings = [
        line
        for line in lines
        if line["logger"] == "django.request" and line.get("request_id") == "outage-api"
    ]
    assert [(line["level"], "the database is unavailable" in line["message"]) for line in
            outage_warnings] == [("WARNING", True)]  # fmt: skip
    assert "exception" not in outage_warnings[0]
    readiness = [line for line in lines if line["logger"] == "core.health"]
    assert readiness and "Readiness check database failed" in readiness[0]["message"]


def test_each_request_has_one_json_line_under_its_id(server):
    answer = server.get("/ja/?token=preview-secret", **{"X-Request-ID": "json-1"})

    assert answer.status == 200
    assert answer.headers["X-Request-ID"] == "json-1"
    generated = server.get("/ja/").headers["X-Request-ID"]
    lines = server.log_lines()
    [line] = [line for line in lines if line.get("request_id") == "json-1"]
    assert line["logger"] == "ukiyo.requests"
    assert line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/ja/", 200)
    assert line["duration_ms"] >= 0
    assert "preview-secret" not in json.dumps(lines)
    assert any(line.get("request_id") == generated for line in lines)
    # Health checks are asked every few seconds: they leave no line.
    assert not any(line.get("path") in ("/healthz", "/readyz") for line in lines)


def test_sigterm_lets_the_request_in_hand_finish(cluster, tmp_path):
    """A request whose body is still arriving when the server is told to stop: its answer
    is sent, then the server exits (within WEB_GRACEFUL_TIMEOUT)."""
    server = start_server(cluster, tmp_path)
    body = b"[]"
    request = (
        "POST /api/v3/pages/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        "X-Request-ID: in-hand\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as client:
            client.sendall(request + body[:1])
            time.sleep(1)  # the worker is reading the body
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1)
            # Still running: the worker waits for the rest of the body.
            assert server.process.poll() is None
            client.sendall(body[1:])
            answer = b""
            while chunk := client.recv(65536):
                answer += chunk
        exit_status = server.process.wait(timeout=30)
    finally:
        server.stop()

    # The request was answered in full (an anonymous write: refused, as it would be anyway).
    head, _, content = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 4"), answer
    assert b"X-Request-ID: in-hand" in head
    assert json.loads(content)["status"] == int(head[9:12])
    assert exit_status == 0
    lines = server.log_lines()
    assert any(line.get("request_id") == "in-hand" for line in lines)
    assert lines[-1]["message"] == "Shutting down: Master"


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1: answers 200 and keeps each request's path."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.received = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.received.append(
            json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# A publication, as the changes app records it: its deliveries are queued after the commit.
PUBLISH = """
from changes.models import ContentChange
from webhooks.models import Webhook
Webhook.objects.create(name="Frontend build", url={url!r}, events=["page.published"])
ContentChange.objects.create(
    event="page.published", object_type="news.ArticlePage", object_id=42, locale="en",
    data={{"title": "Moon landing", "url_path": "/home/articles/moon/"}},
)
"""


def test_the_webhook_worker_waits_out_an_outage(cluster, tmp_path):
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    env = {key: value for key, value in os.environ.items() if key not in SERVER_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=cluster.url,
        SECRET_KEY="operations-test-" + "k" * 40,
        ALLOWED_HOSTS="news.example",
        WEBHOOK_ALLOW_PRIVATE_NETWORKS="on",
    )
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--backend", "worker", "--queue-name",
             "*", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def lines():
        return [json.loads(line) for line in log.read_text().splitlines() if line]

    try:
        deadline = time.monotonic() + START_SECONDS
        while not any("Starting worker" in line["message"] for line in lines()):
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

        cluster.stop()
        try:
            time.sleep(3)  # a dozen polls of the queue, each refused
            assert worker.poll() is None, log.read_text()
        finally:
            cluster.start()

        published = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v0", "-c", PUBLISH.format(url=receiver.url)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert published.returncode == 0, published.stderr
        deadline = time.monotonic() + 60
        while not receiver.received:
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

        # Told to stop while it waits for the database: it stops.
        cluster.stop()
        try:
            waits = len([line for line in lines() if "polling again" in line["message"]])
            deadline = time.monotonic() + 30
            while len([line for line in lines() if "polling again" in line["message"]]) == waits:
                assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0, log.read_text()
        finally:
            cluster.start()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        receiver.shutdown()
        receiver.server_close()

    assert [body["event"] for body in receiver.received] == ["page.published"]
    waits = [line for line in lines() if "database is unavailable" in line["message"]]
    assert waits and all(line["level"] == "WARNING" for line in waits)
