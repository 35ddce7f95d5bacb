"""The search limits: the words and characters a query may have, and the searches one client
address may run, on the reader's page and in both APIs."""

import json

import pytest
from django.core.cache import cache

from tests.factories import full_article

MANY_WORDS = " ".join(f"word{number}" for number in range(2000))


@pytest.fixture
def article(index, english_tree):
    cache.clear()
    return full_article(index, title="Moon landing")


@pytest.fixture
def low_rate(settings):
    """Three searches a minute per address, counted from zero."""
    settings.UKIYO_SEARCH_RATE_LIMIT = "3/60"
    cache.clear()
    yield
    cache.clear()


def test_a_nul_character_in_a_search_is_refused_in_the_readers_language(client, article):
    response = client.get("/ja/search/", {"q": "a\x00b"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="ja"' in html
    assert "検索できない文字" in html
    english = client.get("/en/search/", {"q": "a\x00b"}).content.decode()
    assert "a character that cannot be searched for" in english


def test_a_long_search_is_searched_by_its_beginning_and_says_so(client, article):
    # Every word must match: the first 32 ("moon") are searched, "nowhere" is not.
    query = "moon " * 40 + "nowhere"
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only the beginning of your search was used: at most 32 words and 200 characters." in (
        html
    )
    japanese = client.get("/ja/search/", {"q": query}).content.decode()
    assert "検索語の最初の部分だけ" in japanese
    assert "<mark>Moon</mark> landing" in japanese
    assert 'name="q" value="' + " ".join(["moon"] * 32) + '"' in japanese
    assert client.get("/ja/search/", {"q": MANY_WORDS}).status_code == 200


def test_a_search_within_the_limits_says_nothing_of_them(client, article):
    html = client.get("/ja/search/", {"q": "moon"}).content.decode()
    assert "<mark>Moon</mark> landing" in html
    assert "検索語の最初の部分だけ" not in html


def test_the_search_page_asks_a_busy_reader_to_wait(client, article, low_rate):
    # Each a new search: a search served from the page cache costs nothing and is not
    # counted, even beyond the limit.
    for word in ("landing", "crater", "lunar"):
        assert client.get("/ja/search/", {"q": word}).status_code == 200
    cached = client.get("/ja/search/", {"q": "landing"})
    assert cached.status_code == 200 and cached["X-Page-Cache"] == "hit"
    response = client.get("/ja/search/", {"q": "moon"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert '<html lang="ja"' in html
    assert "少し待ってから" in html
    assert "Moon landing" not in html
    assert 'name="q" value="moon"' in html  # kept, to search again after the wait
    # The empty search page is not a search: it still opens.
    assert client.get("/ja/search/").status_code == 200


def test_the_limit_is_per_client_address(client, article, low_rate):
    # New searches each time: one the page cache keeps is not searched (nor counted) again.
    for word in ("landing", "crater", "lunar", "orbit"):
        client.get("/ja/search/", {"q": word}, REMOTE_ADDR="192.0.2.1")
    assert client.get("/ja/search/", {"q": "moon"}, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/ja/search/", {"q": "moon"}, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_api_v2_searches_beyond_the_limit_answer_429(client, article, low_rate):
    for _ in range(3):
        assert client.get("/api/v2/pages/", {"search": "moon"}).status_code == 200
    # Listings without a search are not counted.
    assert client.get("/api/v2/pages/").status_code == 200
    response = client.get("/api/v2/pages/", {"search": "moon"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "no-store" in response["Cache-Control"]
    message = json.loads(response.content)["message"]
    assert "at most 3 in 60 seconds" in message


def test_api_v3_searches_beyond_the_limit_answer_a_429_problem(client, article, low_rate):
    for _ in range(3):
        assert client.get("/api/v3/pages/", {"search": "moon"}).status_code == 200
    response = client.get("/api/v3/images/", {"search": "moon"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
    problem = json.loads(response.content)
    assert problem["status"] == 429
    assert "at most 3 in 60 seconds" in problem["detail"]


def test_the_reader_page_and_the_apis_share_one_count(client, article, low_rate):
    client.get("/ja/search/", {"q": "moon"})
    client.get("/api/v2/pages/", {"search": "moon"})
    client.get("/api/v3/pages/", {"search": "moon"})
    assert client.get("/en/search/", {"q": "moon"}).status_code == 429


def test_the_search_limits_are_settings(client, article, settings):
    settings.UKIYO_SEARCH_MAX_TERMS = 2
    response = client.get("/api/v2/pages/", {"search": "moon landing today"})
    assert "at most 2 words" in json.loads(response.content)["message"]
    assert client.get("/api/v2/pages/", {"search": "moon landing"}).status_code == 200


def test_a_wrong_rate_setting_is_a_system_check_error(settings):
    from core.checks import search_rate_limit

    settings.UKIYO_SEARCH_RATE_LIMIT = "many"
    assert [error.id for error in search_rate_limit(None)] == ["ukiyo.E020"]
    settings.UKIYO_SEARCH_RATE_LIMIT = "off"
    assert search_rate_limit(None) == []


# -- Redis out of reach (docs/configuration.md, "Redis") -------------------------------------


@pytest.mark.parametrize("redis_state", ["running", "stopped"])
def test_the_limit_counts_in_redis_and_lets_searches_through_while_it_is_out_of_reach(
    client, article, settings, redis_caches, redis_state
):
    settings.UKIYO_SEARCH_RATE_LIMIT = "1/60"
    if redis_state == "stopped":
        redis_caches.stop()
    searches = [
        ("/ja/search/", {"q": "landing"}),
        ("/api/v2/pages/", {"search": "moon"}),
        ("/api/v3/pages/", {"search": "moon"}),
        ("/api/v3/articles/", {"q": "moon", "locale": "en"}),
    ]
    statuses = [client.get(url, query).status_code for url, query in searches]
    if redis_state == "running":
        assert statuses == [200, 429, 429, 429]
    else:
        # Nothing can be counted: every search is answered (the limit fails open).
        assert statuses == [200, 200, 200, 200]
