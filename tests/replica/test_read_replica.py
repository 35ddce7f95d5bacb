"""The read replica, on PostgreSQL streaming replication (conftest.py): who reads it, who
reads the primary, what readers see while it lags behind, and what happens when it fails."""

import logging
import re
import signal
from contextlib import contextmanager
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import APIToken, Page, Site
from wagtail.test.utils.form_data import nested_form_data, rich_text

from consent.models import ConsentRecord, ConsentSettings
from core import databases, pagecache
from core.models import SearchDocument
from news.models import ArticleIndexPage, ArticlePage
from tests.factories import ArticlePageFactory
from tests.webhooks.conftest import PUBLIC_ADDRESS, Receiver, make_webhook
from webhooks import delivery, transport
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


@pytest.fixture(autouse=True)
def replaying(replication):
    """Every test starts with a replica that replays and answers, and leaves it so."""
    databases._replica_down_until = 0.0
    yield
    if not replication.standby.running():
        replication.start_standby()
    if replication.paused():
        replication.resume()
    databases._replica_down_until = 0.0


@pytest.fixture
def site(home, index):
    article = ArticlePageFactory(parent=index, title="Moon landing", slug="moon")
    # Made by the first page a reader reads otherwise: a write, after which that request
    # reads the primary.
    ConsentSettings.for_site(Site.objects.get(is_default_site=True))
    return SimpleNamespace(home=home, index=index, article=article)


@contextmanager
def queries():
    """The queries each database answered while the block ran."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        yield SimpleNamespace(primary=primary, replica=replica)


def only_asked_how_far(replica):
    """Whether the replica answered nothing but how far it has replayed (its one question
    before a request reads it): the request then read the primary."""
    return all(query["sql"] == databases.REPLAYED_SQL for query in replica.captured_queries)


def publish_index_in_the_admin(editor, index, title):
    form = nested_form_data(
        {
            "title": title,
            "slug": index.slug,
            "intro": rich_text("<p>Everything we published.</p>"),
            "action-publish": "publish",
        }
    )
    response = editor.post(reverse("wagtailadmin_pages:edit", args=[index.pk]), form)
    assert response.status_code == 302, response.content[:2000]
    return response


def html(response):
    """The page's HTML, without the marks a search puts on the words it found."""
    return re.sub(r"</?mark>", "", response.content.decode())


# ---------------------------------------------------------------------------
# Who reads the replica
# ---------------------------------------------------------------------------


def test_anonymous_pages_and_api_reads_come_from_the_replica(client, site, replication):
    url = site.article.url
    replication.catch_up()

    with queries() as answered:
        page = client.get(url)
        v2 = client.get(f"/api/v2/pages/{site.article.pk}/")
        v3 = client.get(f"/api/v3/pages/{site.article.pk}/")
        cards = client.get("/api/v3/articles/", {"locale": "ja"})
        search = client.get("/ja/search/", {"q": "Moon"})

    statuses = [r.status_code for r in (page, v2, v3, cards, search)]
    assert statuses == [200] * 5
    assert "Moon landing" in html(page)
    assert "Moon landing" in html(search)
    assert v2.json()["title"] == v3.json()["title"] == "Moon landing"
    assert len(answered.replica) > 10
    assert len(answered.primary) == 0, "\n".join(
        q["sql"][:200] for q in answered.primary.captured_queries
    )


def test_what_a_reader_sees_is_the_replica_s_copy(client, site, replication):
    """A change the primary has and the paused replica does not (written behind ukiyo's
    back, so that nothing tells the replica's readers to wait for it): readers see the
    replica's title, the admin the primary's."""
    replication.catch_up()
    replication.pause()
    ArticlePage.objects.filter(pk=site.article.pk).update(title="Only on the primary")

    page = client.get(site.article.url)
    api = client.get(f"/api/v2/pages/{site.article.pk}/")

    assert page.status_code == api.status_code == 200
    assert "Moon landing" in html(page)
    assert "Only on the primary" not in html(page)
    assert api.json()["title"] == "Moon landing"
    assert Page.objects.get(pk=site.article.pk).title == "Only on the primary"


def test_the_admin_api_tokens_and_every_write_read_the_primary(
    editor, client, site, replication, admin_user
):
    _, token = APIToken.create_token(user=admin_user, name="frontend")
    replication.catch_up()
    with queries() as anonymous:
        client.get(f"/api/v3/pages/{site.index.pk}/")
    assert not only_asked_how_far(anonymous.replica)  # the same read without a token
    replication.pause()  # anything read on the replica from now on would be stale

    with queries() as answered:
        edit = editor.get(reverse("wagtailadmin_pages:edit", args=[site.index.pk]))
        publish_index_in_the_admin(editor, site.index, "Every article")
        explorer = editor.get(reverse("wagtailadmin_explore", args=[site.index.pk]))
        with_token = client.get(
            f"/api/v3/pages/{site.index.pk}/", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    assert (edit.status_code, explorer.status_code, with_token.status_code) == (200, 200, 200)
    assert "Every article" in explorer.content.decode()
    assert with_token.json()["title"] == "Every article"
    assert len(answered.replica) == 0
    assert ArticleIndexPage.objects.get(pk=site.index.pk).title == "Every article"
    # The search index was written too, on the primary (the standby refuses every write).
    assert SearchDocument.objects.filter(page_id=site.index.pk, title="Every article").exists()


def test_an_editor_who_just_published_reads_it_while_the_replica_lags(editor, site, replication):
    replication.pause()
    published = publish_index_in_the_admin(editor, site.index, "Every article")

    with queries() as answered:
        page = editor.get(site.index.url)

    assert page.status_code == 200
    assert "Every article" in html(page)
    assert len(answered.replica) == 0
    cookie = published.cookies[databases.STICKY_COOKIE]
    assert int(cookie["max-age"]) == 10
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_readers_read_the_primary_until_the_replica_has_a_publication(editor, site, replication):
    reader = Client()
    replication.catch_up()
    assert "All Articles" in html(reader.get(site.index.url))  # kept in the page cache

    replication.pause()
    publish_index_in_the_admin(editor, site.index, "Every article")
    with queries() as lagging:
        page = reader.get(site.index.url)
        api = reader.get(f"/api/v2/pages/{site.index.pk}/")
        cards = reader.get("/api/v3/articles/", {"locale": "ja", "limit": 1})

    # Not the copy the page cache kept, not the replica's old title: the primary's.
    assert page["X-Page-Cache"] == "miss"
    assert "Every article" in html(page)
    assert api.json()["title"] == "Every article"
    assert cards.status_code == 200
    assert len(lagging.primary) > 0
    assert only_asked_how_far(lagging.replica)

    replication.resume()
    replication.catch_up()
    with queries() as current:
        again = reader.get(site.index.url)  # the page the primary rendered, kept
        api = reader.get(f"/api/v2/pages/{site.index.pk}/", {"fields": "title"})
    assert again["X-Page-Cache"] == "hit"
    assert "Every article" in html(again)
    assert api.json()["title"] == "Every article"
    assert not only_asked_how_far(current.replica)  # back on the replica
    assert len(current.primary) == 0


def test_a_browser_that_wrote_reads_the_primary_for_a_while(editor, site, replication, settings):
    url = site.index.url
    published = publish_index_in_the_admin(editor, site.index, "Every article")
    mark = published.cookies[databases.STICKY_COOKIE].value
    replication.catch_up()

    def reads_the_replica(cookie):
        reader = Client(HTTP_COOKIE=f"{databases.STICKY_COOKIE}={cookie}")
        caches["pages"].clear()
        with queries() as answered:
            response = reader.get(url)
        assert response.status_code == 200
        assert "Every article" in html(response)
        return not only_asked_how_far(answered.replica) and len(answered.primary) == 0

    assert not reads_the_replica(mark)
    # A mark the site did not sign, or garbage, is no mark.
    assert reads_the_replica("1")
    assert reads_the_replica("%00%ff" + mark[:8])
    assert reads_the_replica("x\x00y")
    assert reads_the_replica(mark.replace(":", "x", 1))
    # Nor is a mark older than UKIYO_REPLICA_STICKY_SECONDS.
    settings.UKIYO_REPLICA_STICKY_SECONDS = 1
    replication.wait_for(lambda: reads_the_replica(mark), "the mark to expire")


def test_a_reader_who_wrote_is_marked_a_reader_who_read_is_not(client, site, replication):
    page = client.get(site.article.url)
    refused = client.post("/ja/cookie-settings/", {"action": "maybe"})
    accepted = client.post("/ja/cookie-settings/", {"action": "accept"})

    assert page.status_code == 200
    assert databases.STICKY_COOKIE not in page.cookies
    assert refused.status_code == 400  # nothing written, no mark
    assert databases.STICKY_COOKIE not in refused.cookies
    assert accepted.status_code == 303
    assert databases.STICKY_COOKIE in accepted.cookies
    assert ConsentRecord.objects.filter(choice=ConsentRecord.ACCEPT_ALL).count() == 1


# ---------------------------------------------------------------------------
# What always reads the primary
# ---------------------------------------------------------------------------


def test_transactions_and_writes_read_the_primary_and_so_does_everything_outside_a_request(
    site, replication
):
    replication.catch_up()
    with databases.routing(databases.Reads(allowed=True)) as reads:
        assert router.db_for_read(Page) == "replica"
        with transaction.atomic():
            assert router.db_for_read(Page) == "default"
        assert router.db_for_read(Page) == "replica"
        Page.objects.filter(pk=site.article.pk).update(title="Written")
        assert reads.wrote
        assert router.db_for_read(Page) == "default"  # it reads what it wrote

    # Management commands, migrations and the webhook worker run outside any request.
    assert router.db_for_read(Page) == "default"
    assert router.db_for_write(Page) == "default"
    assert router.allow_migrate("replica", "wagtailcore") is False
    assert router.allow_migrate("default", "wagtailcore") is True


def test_commands_read_and_write_the_primary(client, site, replication):
    replication.catch_up()
    with queries() as answered:
        call_command("rebuild_search_index", verbosity=0)
    assert len(answered.replica) == 0
    assert len(answered.primary) > 0
    assert SearchDocument.objects.filter(page_id=site.article.pk).exists()

    replication.catch_up()
    with queries() as searched:
        search = client.get("/api/v2/pages/", {"search": "Moon", "fields": "title"})
    assert [item["title"] for item in search.json()["items"]] == ["Moon landing"]
    assert not only_asked_how_far(searched.replica)  # a reader's search reads the index there


@pytest.fixture
def receiver(monkeypatch, settings):
    """The webhook's receiver, a public address as far as the transport knows."""
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    fake = Receiver()
    monkeypatch.setattr(transport, "resolve", lambda host, port: [PUBLIC_ADDRESS])
    monkeypatch.setattr(transport, "post", fake)
    monkeypatch.setattr(delivery, "JITTER", 0)
    return fake


def run_the_worker():
    """``db_worker --backend worker --queue-name webhooks --batch``: what is due, then stop."""
    numbers = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    handlers = {number: signal.getsignal(number) for number in numbers}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    try:
        call_command(
            "db_worker",
            "--backend=worker",
            "--queue-name=webhooks",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            verbosity=0,
        )
    finally:
        # The worker takes over the signals and its loggers' levels, for its process.
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def test_the_webhook_worker_reads_and_writes_the_primary(editor, site, replication, receiver):
    make_webhook()
    replication.pause()  # what is queued from now on is on the primary only
    publish_index_in_the_admin(editor, site.index, "Every article")

    with queries() as answered:
        run_the_worker()

    assert len(answered.replica) == 0
    assert len(receiver.requests) == 1
    assert b"Every article" in receiver.requests[0]["body"]
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


def test_a_page_read_from_a_replica_that_lacks_a_later_change_is_not_kept(site, replication):
    replication.catch_up()
    computed = []

    def piece():
        computed.append(Page.objects.get(pk=site.index.pk).title)
        return computed[-1]

    with databases.routing(databases.Reads(allowed=True)) as reads:
        assert pagecache.cached("replica-test", ["list:ja"], piece) == "All Articles"
        assert reads.chosen == "replica"
        replication.pause()
        # Another editor publishes while this request renders.
        with databases.routing(None):
            index = site.index.specific
            index.title = "Every article"
            index.save_revision().publish()
        assert not databases.reads_are_current()
        # What it read may lack the change: computed again, never kept.
        pagecache.cached("replica-test-2", ["list:en"], piece)
        pagecache.cached("replica-test-2", ["list:en"], piece)
    assert len(computed) == 3

    replication.resume()
    replication.catch_up()
    with databases.routing(databases.Reads(allowed=True)):
        assert pagecache.cached("replica-test-2", ["list:en"], piece) == "Every article"
        assert pagecache.cached("replica-test-2", ["list:en"], piece) == "Every article"
    assert len(computed) == 4


def test_after_a_restore_clear_page_cache_puts_readers_back_on_the_replica(
    client, site, replication
):
    url = f"/api/v2/pages/{site.article.pk}/"
    # What a primary restored to an earlier point leaves recorded: a position its WAL has
    # not reached (nor its new standby's).
    caches["pages"].set(databases.LATEST_CHANGE, 2**62)
    replication.catch_up()
    with queries() as restored:
        client.get(url, {"fields": "title"})
    assert only_asked_how_far(restored.replica)

    call_command("clear_page_cache", stdout=StringIO())
    replication.catch_up()
    with queries() as cleared:
        client.get(url, {"fields": "slug"})
    assert not only_asked_how_far(cleared.replica)


# ---------------------------------------------------------------------------
# A replica that fails
# ---------------------------------------------------------------------------


def test_readers_read_the_primary_while_the_replica_is_down(client, site, replication, settings):
    settings.UKIYO_REPLICA_RETRY_SECONDS = 600
    replication.catch_up()
    replication.standby.stop("immediate")

    with CaptureQueriesContext(connections["default"]) as primary:
        page = client.get(site.article.url)
        api = client.get(f"/api/v2/pages/{site.article.pk}/")
        search = client.get("/ja/search/", {"q": "Moon"})
    assert (page.status_code, api.status_code, search.status_code) == (200, 200, 200)
    assert "Moon landing" in html(page)
    assert len(primary) > 0

    replication.start_standby()
    replication.catch_up()
    # Left alone for UKIYO_REPLICA_RETRY_SECONDS, then read again (as if they had passed).
    with queries() as answered:
        client.get(f"/api/v2/pages/{site.article.pk}/", {"fields": "title"})
    assert len(answered.replica) == 0
    databases._replica_down_until = 0.0
    with queries() as answered:
        again = client.get(f"/api/v2/pages/{site.article.pk}/", {"fields": "slug"})
    assert again.status_code == 200
    assert not only_asked_how_far(answered.replica)


def test_a_replica_that_fails_halfway_through_a_page_leaves_the_reader_a_page(site, replication):
    replication.catch_up()
    reader = Client(raise_request_exception=False)
    replica = connections["replica"]
    killed = []

    def kill_the_connection(execute, sql, params, many, context):
        # After the replica said how far it is: its server drops the connection, as a
        # restarted or failed standby does.
        if sql != databases.REPLAYED_SQL and not killed:
            pid = context["connection"].connection.info.backend_pid
            replication.query(replication.standby, f"SELECT pg_terminate_backend({pid})")
            killed.append(pid)
        return execute(sql, params, many, context)

    with replica.execute_wrapper(kill_the_connection):
        page = reader.get(site.article.url)

    assert killed
    assert page.status_code == 200
    assert "Moon landing" in html(page)
    assert databases._replica_down_until > 0  # left alone for a while


def test_a_query_the_replica_cancels_is_answered_from_the_primary(client, site, replication):
    """A statement timeout, or a query in the way of the replay (``canceling statement due
    to conflict with recovery``): the replica is fine, the request is answered again from
    the primary, and the next one reads the replica."""
    replication.catch_up()
    reader = Client(raise_request_exception=False)
    url = site.article.url
    cancelled = []

    def cancel_the_query(execute, sql, params, many, context):
        if sql != databases.REPLAYED_SQL and not cancelled:
            cancelled.append(sql)
            context["cursor"].execute("SET statement_timeout = 50")
            return execute("SELECT pg_sleep(5)", None, False, context)
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(cancel_the_query):
        page = reader.get(url)

    assert cancelled
    assert page.status_code == 200
    assert "Moon landing" in html(page)
    assert databases._replica_down_until == 0.0  # not left alone
    with queries() as answered:
        client.get(f"/api/v2/pages/{site.article.pk}/")
    assert not only_asked_how_far(answered.replica)
