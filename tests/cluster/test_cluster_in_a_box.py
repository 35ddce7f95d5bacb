"""ukiyo on several machines, on one: the cluster scripts/cluster starts (scripts/cluster.py),
seen from outside by an editor and by readers.

- An article published through app server A is seen on the next request through Varnish
  and through app server B: its page, the API, the RSS feed and the search, including the
  lists Varnish and the shared page cache held before it was published.
- App server A is killed (SIGKILL, as a crashed machine) in the middle of a stream of editor
  writes and reader reads through Varnish: every write the editor saw acknowledged is there
  afterwards, and readers keep getting answers from B.
- PostgreSQL is stopped and started again under the same stream: the errors are 503s with
  Retry-After, never 500s, and the same app server processes serve again once it is back.
- The webhook worker is killed (SIGKILL) while a delivery is in hand and started again: the
  receiver gets the delivery again, under the same delivery id, as a later attempt.

PostgreSQL is a cluster of this module's own (tests/postgres.py), started as a copy of the
suite's migrated test database; the app servers use the production settings with static files
from the apps' folders (tests/served_settings.py), so that no collectstatic is needed. The
counts of each fault are recorded as the tests' ``cluster`` property, which the summary at the
end of the run prints (tests/conftest.py), with or without pytest-xdist.
"""

import collections
import http.client
import http.server
import json
import re
import sys
import threading
import time
import uuid
from urllib.parse import quote, urlsplit

import pytest

from scripts.cluster import ClusterInABox
from tests.postgres import copy_of_test_database

pytestmark = [pytest.mark.cluster, pytest.mark.django_db]

# The newsroom's first pieces, made in the cluster's database by a manage.py shell: the
# Japanese articles index under the home page the migrations made, and an editor with a token.
SETUP = """
from django.contrib.auth import get_user_model
from wagtail.models import Page
from news.models import ArticleIndexPage
home = Page.objects.get(depth=2).specific
index = home.add_child(instance=ArticleIndexPage(title="記事", slug="articles"))
index.save_revision().publish()
get_user_model().objects.create_superuser("editor", "editor@example.org", "editor-password")
print(index.pk)
"""
FROM_PROXY = {"X-Forwarded-Proto": "https"}


def request(port, method, path, headers=None, body=None, timeout=30):
    """``(status, headers, text)``; ``(None, None, error)`` when the connection fails."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={**FROM_PROXY, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    except OSError as error:
        return None, None, repr(error)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def database(django_db_setup):
    with copy_of_test_database() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def box(database):
    box = ClusterInABox(
        database.url,
        settings="tests.served_settings",
        prepare=False,
        python=sys.executable,
        # The stream of reads searches from one address more often than readers may.
        extra_env={
            "SEARCH_RATE_LIMIT": "10000/60",
            # The receiver of the webhooks is on this machine, over plain HTTP.
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "on",
            # A delivery lost with its worker goes out again seconds later, not minutes.
            "WEBHOOK_CLAIM_LEASE": "8",
            "WEBHOOK_SWEEP_INTERVAL": "1",
        },
    )
    started = time.monotonic()
    box.start()
    try:
        index_id = int(box.manage("shell", "-c", SETUP).strip().splitlines()[-1])
        token = box.manage("api_tokens", "create", "--user", "editor", "--name", "cluster")
        box.index_id = index_id
        box.auth = {"Authorization": f"Bearer {token.strip()}"}
        box.started = [f"cluster ready in {time.monotonic() - started:.0f} s:"]
        box.started += ["  " + line for line in box.summary()]
        yield box
    finally:
        box.stop()


def publish(box, port, title, word="観測"):
    """POST an article (published at once) to the server on ``port``: the status, the article
    as the answer gives it (else the answer's text), and the answer's Retry-After."""
    data = {
        "meta": {"type": "news.ArticlePage", "parent_id": box.index_id, "action": "publish"},
        "title": title,
        "slug": f"a-{uuid.uuid4().hex[:12]}",
        "summary": f"{title}の要約。",
        "body": [
            {"type": "section", "value": {"heading": "概要", "content": [
                {"type": "paragraph", "value": {"text": f"<p>{word}が観測された。</p>",
                                                "sources": []}},
            ]}},
        ],
    }  # fmt: skip
    status, headers, text = request(
        port, "POST", "/api/v3/pages/", headers={**box.auth, "Content-Type": "application/json"},
        body=json.dumps(data).encode(),
    )  # fmt: skip
    retry_after = headers.get("Retry-After") if headers else None
    return status, (json.loads(text) if status == 201 else text), retry_after


def test_the_cluster_serves_every_change_everywhere_and_survives_losing_a_server(
    box, database, record_property
):
    """One test, so that pytest-xdist never starts the cluster twice: the reads after a
    publication, the crash of an app server, then a restart of PostgreSQL, then the crash of the
    webhook worker, each part starting from where the one before left the cluster."""
    record_property("cluster", "\n".join(box.started))
    what_server_a_publishes_is_read_through_varnish_and_on_server_b(box, record_property)
    killing_an_app_server_loses_no_acknowledged_write_and_readers_get_answers(box, record_property)
    restarting_postgresql_answers_503_with_retry_after_and_the_servers_recover(
        box, database, record_property
    )
    killing_the_worker_mid_delivery_delivers_again_under_the_same_id(box, record_property)


def what_server_a_publishes_is_read_through_varnish_and_on_server_b(box, record_property):
    varnish, a, b = box.ports["varnish"], box.ports["a"], box.ports["b"]
    word = "彗星" + uuid.uuid4().hex[:6]
    search = "/ja/search/?q=" + quote(word)
    lists = ("/ja/articles/", "/ja/feeds/articles.rss", "/api/v3/pages/?type=news.ArticlePage")
    # Varnish and the shared page cache hold the list and the feed before the article exists;
    # publishing purges both. (Anonymous API listings stay in Varnish for their s-maxage,
    # API_SHARED_MAX_AGE, as docs/api.md says: this one is read for the first time below.)
    for path in lists[:2]:
        for _ in range(2):
            assert request(varnish, "GET", path)[0] == 200, path
    assert request(varnish, "GET", lists[0])[1]["X-Cache"] == "HIT"

    status, article, _ = publish(box, a, "彗星の接近を観測", word)
    assert status == 201, article
    title = article["title"]
    path = urlsplit(article["meta"]["html_url"]).path
    api = f"/api/v3/pages/{article['id']}/"

    def shows_it(what, text):
        if what.startswith("api"):
            # The article itself, or a list with it: its id as the JSON gives it (not digits
            # anywhere in a page, which a stale list may hold by chance).
            answer = json.loads(text)
            return article["id"] in [item["id"] for item in answer.get("items", [answer])]
        # The words found are marked in a search's titles (<mark>彗星</mark>の接近を観測).
        return title in re.sub(r"<[^>]+>", "", text)

    seen = {}
    for name, port in (("varnish", varnish), ("app-b", b)):
        for what, target in (("page", path), ("api", api), ("search", search), *zip(
            ("list", "feed", "api list"), lists, strict=True
        )):  # fmt: skip
            # The next request shows it: the publication purged Varnish, and moved the tags
            # of the page cache the app servers share, before its answer.
            status, headers, text = request(port, "GET", target)
            seen[name, what] = status, headers.get("X-Cache") if headers else None
            assert status == 200, (name, what, text[:500])
            assert shows_it(what, text), (name, what, seen[name, what], text[:500])
    record_property(
        "cluster", f"read after publishing on app-a, (tier, what): (status, X-Cache): {seen}"
    )


class Traffic:
    """An editor publishing articles and three readers reading through Varnish, each in a
    thread of its own, until ``stop()``; what each request got is kept."""

    def __init__(self, box, word):
        self.box = box
        self.word = word
        self.writes = []  # (status, id or None or the start of the answer, title, Retry-After)
        self.reads = collections.Counter()
        self.unanswered = []  # (path, status, Retry-After, the start of the body)
        self.stopping = threading.Event()
        readers = [
            ("/ja/", "/ja/feeds/articles.rss"),
            ("/api/v3/pages/?type=news.ArticlePage", "/ja/search/?q=" + quote(word)),
            ("/ja/articles/", "/api/v3/pages/?type=news.ArticlePage&limit=1"),
        ]
        self.threads = [threading.Thread(target=self.editor)]
        self.threads += [threading.Thread(target=self.reader, args=(paths,)) for paths in readers]
        for thread in self.threads:
            thread.start()

    def editor(self):
        number = 0
        while not self.stopping.is_set():
            number += 1
            title = f"流星群の速報 {self.word} {number}"
            status, answer, retry_after = publish(self.box, self.box.ports["varnish"], title)
            pk = answer["id"] if status == 201 else answer[:300]
            self.writes.append((status, pk, title, retry_after))
            if status != 201:
                time.sleep(0.2)

    def reader(self, paths):
        while not self.stopping.is_set():
            for path in paths:
                # Half the reads carry the token: Varnish passes them to an app server.
                for headers in ({}, self.box.auth):
                    status, answer_headers, text = request(
                        self.box.ports["varnish"], "GET", path, headers=headers
                    )
                    self.reads[status] += 1
                    if status != 200:
                        retry_after = answer_headers and answer_headers.get("Retry-After")
                        self.unanswered.append((path, status, retry_after, text[:300]))

    def counts(self):
        return len(self.writes), sum(self.reads.values())

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def missing_writes(self):
        """The acknowledged writes app server B cannot find (read with the token)."""
        missing = []
        for status, pk, title, _ in self.writes:
            if status != 201:
                continue
            found, _, text = request(
                self.box.ports["b"], "GET", f"/api/v3/pages/{pk}/", headers=self.box.auth
            )
            if found != 200 or json.loads(text)["title"] != title:
                missing.append((pk, found))
        return missing

    def report(self, fault_at):
        statuses = collections.Counter(status for status, *_ in self.writes)
        acknowledged = statuses.get(201, 0)
        return (
            f"fault after {fault_at[0]} writes and {fault_at[1]} reads"
            f"\nreads through Varnish: {sum(self.reads.values())}, by status {dict(self.reads)}"
            f"\nwrites: {len(self.writes)}, by status {dict(statuses)}; acknowledged "
            f"{acknowledged}, found afterwards {acknowledged - len(self.missing_writes())}"
        )


def killing_an_app_server_loses_no_acknowledged_write_and_readers_get_answers(box, record_property):
    traffic = Traffic(box, "流星" + uuid.uuid4().hex[:6])
    try:
        time.sleep(4)
        box.processes["app-a"].kill()
        killed_at = traffic.counts()
        time.sleep(8)
    finally:
        traffic.stop()

    record_property("cluster", "app-a killed (SIGKILL): " + traffic.report(killed_at))
    assert any(status == 201 for status, *_ in traffic.writes), "no write was acknowledged"
    assert not traffic.missing_writes()
    assert 0 < killed_at[0] < len(traffic.writes), "the kill was not mid-stream"
    # Readers were answered throughout: the requests that reached the killed server went again
    # to the other one (deploy/varnish/cluster.vcl).
    assert set(traffic.reads) == {200}, traffic.unanswered[:5]
    # Writes are not sent again: one that reached the dead server is a 503, never a 500.
    assert {status for status, *_ in traffic.writes} <= {201, 503}, traffic.writes


def restarting_postgresql_answers_503_with_retry_after_and_the_servers_recover(
    box, database, record_property
):
    box.restart("app-a")
    pids = {name: box.processes[name].popen.pid for name in ("app-a", "app-b")}
    traffic = Traffic(box, "北極光" + uuid.uuid4().hex[:6])
    try:
        time.sleep(3)
        stopped_at = traffic.counts()
        database.stop()
        time.sleep(5)
        during = traffic.counts()
        database.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready = [request(box.ports[name], "GET", "/readyz")[0] for name in ("a", "b")]
            if ready == [200, 200]:
                break
            time.sleep(0.2)
        time.sleep(4)
    finally:
        traffic.stop()

    record_property(
        "cluster",
        f"PostgreSQL stopped for {during[1] - stopped_at[1]} reads and "
        f"{during[0] - stopped_at[0]} writes, then started: " + traffic.report(stopped_at),
    )
    assert ready == [200, 200], "the app servers did not recover"
    # The same processes: nothing restarted them.
    assert {name: box.processes[name].popen.pid for name in pids} == pids
    assert all(box.processes[name].alive() for name in pids)
    # The outage was seen, as ukiyo's own 503 with Retry-After, never as a 500 or Varnish's
    # error page; pages the caches hold kept answering 200.
    assert traffic.reads[503] > 0, traffic.reads
    assert set(traffic.reads) <= {200, 503}, traffic.unanswered[:5]
    assert all(retry_after for _, _, retry_after, _ in traffic.unanswered), traffic.unanswered[:5]
    write_statuses = {status for status, *_ in traffic.writes}
    assert write_statuses <= {201, 503}, traffic.writes
    assert all(retry for status, _, _, retry in traffic.writes if status == 503)
    assert not traffic.missing_writes()
    # Writes go through again once PostgreSQL is back.
    assert traffic.writes[-1][0] == 201, traffic.writes[-5:]


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver: records each POST's delivery id and attempt, and holds its answer
    to the first one until ``release`` is set."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.received = []  # (X-Ukiyo-Delivery, X-Ukiyo-Attempt)


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(
            (self.headers["X-Ukiyo-Delivery"], self.headers["X-Ukiyo-Attempt"])
        )
        if not self.server.arrived.is_set():
            self.server.arrived.set()
            self.server.release.wait(30)
        try:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the held answer's worker was killed meanwhile: nobody reads it

    def log_message(self, *args):
        pass


def killing_the_worker_mid_delivery_delivers_again_under_the_same_id(box, record_property):
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        box.manage("shell", "-c", (
            "from webhooks.models import Webhook; "
            f"Webhook.objects.create(name='cluster', url={url!r}, events=['page.published'])"
        ))  # fmt: skip
        status, article, _ = publish(box, box.ports["varnish"], "オーロラの予報")
        assert status == 201, article
        assert receiver.arrived.wait(60), "the worker sent no delivery"
        box.processes["worker"].kill()
        receiver.release.set()
        first = receiver.received[0]
        box.restart("worker")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(receiver.received) < 2:
            time.sleep(0.2)
    finally:
        receiver.release.set()
        receiver.shutdown()
        receiver.server_close()

    ids = collections.Counter(delivery for delivery, _ in receiver.received)
    record_property(
        "cluster",
        f"worker killed (SIGKILL) while delivery {first[0]} was in hand, then started again: "
        f"the receiver got {len(receiver.received)} POSTs {receiver.received}, "
        f"{len(ids)} distinct delivery id(s)",
    )
    # At least once: the delivery the killed worker held went out again, under its id (the
    # receiver drops the repeat), as a later attempt.
    assert len(receiver.received) >= 2, receiver.received
    assert set(ids) == {first[0]}, receiver.received
    assert int(receiver.received[-1][1]) > int(first[1]), receiver.received
