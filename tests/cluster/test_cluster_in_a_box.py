"""ukiyo on several machines, on one: the cluster scripts/cluster starts (scripts/cluster.py),
seen from outside by an editor and by readers.

- An article published through app server A is seen on the next request through Varnish
  and through app server B: its page, the API, the RSS feed and the search, including the
  lists Varnish and the shared page cache held before it was published.
- App server A is killed (SIGKILL, as a crashed machine) in the middle of a stream of editor
  writes and reader reads through Varnish: every write the editor saw acknowledged is there
  afterwards, and readers keep getting answers from B.

PostgreSQL is a cluster of this module's own (tests/postgres.py), started as a copy of the
suite's migrated test database; the app servers use the production settings with static files
from the apps' folders (tests/served_settings.py), so that no collectstatic is needed. The
counts of each fault are recorded as the tests' ``cluster`` property, which the summary at the
end of the run prints (tests/conftest.py), with or without pytest-xdist.
"""

import collections
import http.client
import json
import sys
import threading
import time
import uuid
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection

from scripts.cluster import ClusterInABox
from tests.postgres import Cluster, copy_database

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
    cluster = Cluster()
    try:
        cluster.start()
        cluster.create_database()
        copy_database(connection.settings_dict, cluster)
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def box(database):
    box = ClusterInABox(
        database.url,
        settings="tests.served_settings",
        prepare=False,
        python=sys.executable,
        # The stream of reads searches from one address more often than readers may.
        extra_env={"SEARCH_RATE_LIMIT": "10000/60"},
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


def publish(box, port, title, word):
    """POST an article (published at once) to the server on ``port``: the status, and the
    article as the answer gives it."""
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
    status, _, text = request(
        port, "POST", "/api/v3/pages/", headers={**box.auth, "Content-Type": "application/json"},
        body=json.dumps(data).encode(),
    )  # fmt: skip
    return status, (json.loads(text) if status == 201 else text)


def test_the_cluster_serves_every_change_everywhere_and_survives_losing_an_app_server(
    box, record_property
):
    """One test, so that pytest-xdist never starts the cluster twice: first the reads after a
    publication, then the crash of an app server (which the first part must not see)."""
    record_property("cluster", "\n".join(box.started))
    what_server_a_publishes_is_read_through_varnish_and_on_server_b(box, record_property)
    killing_an_app_server_loses_no_acknowledged_write_and_readers_get_answers(box, record_property)


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

    status, article = publish(box, a, "彗星の接近を観測", word)
    assert status == 201, article
    title = article["title"]
    path = urlsplit(article["meta"]["html_url"]).path
    api = f"/api/v3/pages/{article['id']}/"

    seen = {}
    for name, port in (("varnish", varnish), ("app-b", b)):
        for what, target in (("page", path), ("api", api), ("search", search), *zip(
            ("list", "feed", "api list"), lists, strict=True
        )):  # fmt: skip
            status, _, text = request(port, "GET", target)
            seen[name, what] = status
            assert status == 200, (name, what, text[:500])
            assert title in text or f"{article['id']}" in text, (name, what, text[:500])
    record_property("cluster", f"read after publishing on app-a, by (tier, what): {seen}")


def killing_an_app_server_loses_no_acknowledged_write_and_readers_get_answers(box, record_property):
    varnish = box.ports["varnish"]
    writes = []  # (status, id or None, title)
    reads = collections.Counter()
    failures = []
    stop = threading.Event()
    word = "流星" + uuid.uuid4().hex[:6]

    def editor():
        number = 0
        while not stop.is_set():
            number += 1
            title = f"流星群の速報 {word} {number}"
            status, answer = publish(box, varnish, title, word)
            writes.append((status, answer["id"] if status == 201 else None, title))

    def reader(paths):
        while not stop.is_set():
            for path in paths:
                # Half the reads carry the token: Varnish passes them to an app server.
                for headers in ({}, box.auth):
                    status, _, text = request(varnish, "GET", path, headers=headers)
                    reads[status] += 1
                    if status != 200:
                        failures.append((path, status, text[:300]))

    readers = [
        ("/ja/", "/ja/feeds/articles.rss"),
        ("/api/v3/pages/?type=news.ArticlePage", "/ja/search/?q=" + quote(word)),
        ("/ja/articles/", "/api/v3/pages/?type=news.ArticlePage&limit=1"),
    ]
    threads = [threading.Thread(target=editor)]
    threads += [threading.Thread(target=reader, args=(paths,)) for paths in readers]
    for thread in threads:
        thread.start()
    try:
        time.sleep(4)
        box.processes["app-a"].kill()
        killed_at = len(writes), sum(reads.values())
        time.sleep(8)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    acknowledged = [(pk, title) for status, pk, title in writes if status == 201]
    found = 0
    missing = []
    for pk, title in acknowledged:
        status, _, text = request(box.ports["b"], "GET", f"/api/v3/pages/{pk}/", headers=box.auth)
        if status == 200 and json.loads(text)["title"] == title:
            found += 1
        else:
            missing.append((pk, status))
    write_statuses = collections.Counter(status for status, _, _ in writes)
    record_property(
        "cluster",
        f"app-a killed after {killed_at[0]} writes and {killed_at[1]} reads"
        f"\nreads through Varnish: {sum(reads.values())}, by status {dict(reads)}"
        f"\nwrites: {len(writes)}, by status {dict(write_statuses)}; acknowledged "
        f"{len(acknowledged)}, found afterwards {found}",
    )
    assert acknowledged, "no write was acknowledged"
    assert not missing, missing
    assert killed_at[0] > 0 and len(writes) > killed_at[0], "the kill was not mid-stream"
    # Readers were answered throughout: the requests that reached the killed server went again
    # to the other one (deploy/varnish/cluster.vcl).
    assert set(reads) == {200}, failures[:5]
    # Writes have no retry: one that reached the dead server is a 503 of Varnish, never a 500.
    assert set(write_statuses) <= {201, 503}, writes
