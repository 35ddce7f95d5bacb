"""Redis out of reach (core.sharedcache): readers' pages and the API still answer 200, made
from the database; a hung Redis does not hold requests; a change made meanwhile is not hidden
by what Redis still holds when it answers again.

Against a real ``redis-server`` (``tests/redis_server.py``), stopped, frozen or never started
by the tests. The limits' own behaviour during an outage is tested with each limit (failed
logins: tests/accounts/test_cache_outage.py; searches, the contact form, the consent log).
"""

import json
import time

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import Client

from cms.settings.environment import cache_from_url
from core import pagecache
from core.sharedcache import CacheUnavailable, strict
from tests.conftest import REDIS_RETRY_INTERVAL, REDIS_TIMEOUT
from tests.factories import ArticlePageFactory

HEADER = "X-Page-Cache"


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面に着陸", slug="moon")


def reader_urls(article):
    return [
        "/ja/",
        article.url,
        "/ja/search/?q=月面",
        "/ja/feeds/articles.rss",
        "/api/v2/pages/?type=news.ArticlePage&locale=ja",
        f"/api/v2/pages/{article.pk}/",
        "/api/v3/articles/?locale=ja",
        f"/api/v3/pages/{article.pk}/",
    ]


def answer(url):
    response = Client().get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def publish(page, **changes):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()


def wait_for_the_retry():
    """Past the moment a process asks Redis again after a failure."""
    time.sleep(REDIS_RETRY_INTERVAL + 0.2)


def test_pages_and_api_answers_are_kept_in_redis(redis_caches, article):
    assert answer(article.url)[HEADER] == "miss"
    assert answer(article.url)[HEADER] == "hit"
    assert answer(f"/api/v3/pages/{article.pk}/")["X-API-Cache"] == "miss"
    assert answer(f"/api/v3/pages/{article.pk}/")["X-API-Cache"] == "hit"
    assert redis_caches.keys() > 0


def test_a_redis_that_never_started_leaves_every_page_and_api_answer_200(
    redis_never_started, article, caplog
):
    for _ in range(2):
        for url in reader_urls(article):
            response = answer(url)
            if url.startswith("/ja/") and "feeds" not in url:
                assert response[HEADER] == "miss", url  # rendered; never a hit
            if url.startswith("/api/v3/pages/"):
                assert response["X-API-Cache"] == "miss"
    assert "月面に着陸" in answer(article.url).content.decode()
    # One warning for the outage (when the article was made), not one per request.
    records = caplog.get_records("setup") + caplog.get_records("call")
    outages = [r for r in records if "cannot be reached" in r.getMessage()]
    assert len(outages) == 1


def test_redis_stopped_mid_test_pages_render_from_the_database_then_are_kept_again(
    redis_caches, article
):
    assert answer(article.url)[HEADER] == "miss"
    assert answer(article.url)[HEADER] == "hit"

    redis_caches.stop()
    for url in reader_urls(article):
        answer(url)
    # Nothing is served from this process's own copy either: it cannot be checked.
    assert answer(article.url)[HEADER] == "miss"
    publish(article, title="月面着陸に成功")
    assert "月面着陸に成功" in answer(article.url).content.decode()

    redis_caches.start()  # empty, as a restarted cache's Redis is
    wait_for_the_retry()
    first = answer(article.url)
    assert first[HEADER] == "miss"
    assert "月面着陸に成功" in first.content.decode()
    assert answer(article.url)[HEADER] == "hit"


def test_readyz_says_which_check_failed_while_redis_is_stopped(redis_caches, article):
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert json.loads(ready.content)["checks"]["cache"]["ok"] is True

    redis_caches.stop()
    unready = Client().get("/readyz")
    assert unready.status_code == 503
    checks = json.loads(unready.content)["checks"]
    assert checks["cache"] == {
        "ok": False,
        "ms": checks["cache"]["ms"],
        "error": "CacheUnavailable",
    }
    assert checks["database"]["ok"] is True
    # Readers are still served meanwhile.
    answer(article.url)


def test_a_hung_redis_costs_a_process_one_socket_timeout_per_retry_interval(
    redis_caches, settings, article
):
    settings.CACHES = {
        alias: {**cache, "OPTIONS": {**cache["OPTIONS"], "retry_interval": 60}}
        for alias, cache in settings.CACHES.items()
    }
    answer(article.url)
    redis_caches.pause()  # connections open, nothing answered
    started = time.monotonic()
    for _ in range(2):
        for url in reader_urls(article):
            answer(url)
    took = time.monotonic() - started
    # One wait of REDIS_TIMEOUT, then no call goes to Redis within the interval; every page
    # makes a dozen cache calls, each of which would wait as long without it.
    assert took < REDIS_TIMEOUT + 8, took
    assert redis_caches.paused


def test_a_change_made_while_redis_hung_is_seen_when_it_answers_again(redis_caches, article):
    assert answer(article.url)[HEADER] == "miss"
    assert answer(article.url)[HEADER] == "hit"

    redis_caches.pause()
    publish(article, title="月面着陸に成功")  # its tags cannot move in Redis
    assert "月面着陸に成功" in answer(article.url).content.decode()

    # Redis answers again with everything it held, the page kept before the change too.
    redis_caches.resume()
    wait_for_the_retry()
    again = answer(article.url)
    assert "月面着陸に成功" in again.content.decode()
    assert "月面に着陸" not in again.content.decode()
    assert answer(article.url)[HEADER] == "hit"


def test_an_unreachable_redis_is_a_miss_except_for_counters_and_strict_callers(
    redis_never_started,
):
    store = caches["default"]
    assert store.get("k", "default") == "default"
    assert store.set("k", 1) is None
    assert store.add("k", 1) is False
    assert store.get_many(["k"]) == {}
    assert store.set_many({"k": 1}) == ["k"]
    assert store.delete("k") is False
    with pytest.raises(CacheUnavailable):
        store.incr("k")
    with strict(), pytest.raises(CacheUnavailable) as raised:
        store.get("k")
    assert 1 <= raised.value.retry_after <= REDIS_RETRY_INTERVAL + 1


def test_clear_page_cache_says_when_redis_cannot_be_reached(redis_caches, home):
    redis_caches.stop()
    with pytest.raises(CommandError, match="cannot be reached"):
        call_command("clear_page_cache")


def test_clear_page_cache_with_redis_makes_every_page_stale(redis_caches, article):
    answer(article.url)
    assert answer(article.url)[HEADER] == "hit"
    call_command("clear_page_cache")
    assert answer(article.url)[HEADER] == "miss"
    assert pagecache._missed is None


@pytest.mark.parametrize(
    ("query", "timeouts"), [("", (0.5, 0.5)), ("?socket_timeout=0.25", (0.25, 0.5))]
)
def test_short_socket_timeouts_unless_the_url_says_otherwise(settings, query, timeouts):
    settings.CACHES = {"default": cache_from_url(f"redis://cache.invalid:6379/0{query}")}
    pool = caches["default"]._cache._get_connection_pool(write=True)
    options = pool.connection_kwargs
    assert (options["socket_timeout"], options["socket_connect_timeout"]) == timeouts
