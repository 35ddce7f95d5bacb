"""Results by relevance rank the matches among each language's newest pages, then give the
older matches, newest first (``core.fulltext.query.recent_first``): on the reader's page and
in the v3 cards, page after page, the same on SQLite; PostgreSQL reads only the recent
matches for the first page."""

import json
import re
from html import unescape

import pytest
from django.core.cache import cache

from tests import sqlite
from tests.factories import ArticlePageFactory
from tests.search.recent import RECENT_FIRST, build
from tests.search.test_search_plans import executed_plans

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_search_rate_limit")]


@pytest.fixture
def comets(index, settings):
    settings.UKIYO_SEARCH_RECENT_PAGES = build(index)
    return settings


def titles(client, **query):
    response = client.get("/ja/search/", query)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(r'class="search-result__title"><a [^>]*>(.*?)</a>', html)
    return [re.sub(r"<[^>]+>", "", unescape(title)).strip() for title in found], html


def card_titles(client, **query):
    response = client.get("/api/v3/articles/", {"locale": "ja", "q": "comet", **query})
    assert response.status_code == 200, response.content
    body = response.json()
    return [item["title"] for item in body["items"]], body["count"]


def test_the_recent_matches_by_relevance_then_the_older_newest_first(client, comets):
    found, html = titles(client, q="comet")
    assert found == RECENT_FIRST
    assert re.search(r'class="listing-status"[^>]*>[^<]*\D5\D[^<]*<', html)


def test_with_no_bound_every_match_is_ranked(client, comets):
    comets.UKIYO_SEARCH_RECENT_PAGES = 0
    found, _html = titles(client, q="comet")
    assert set(found[:2]) == {"Comet over the bay", "Comet archive feature"}
    assert sorted(found) == sorted(RECENT_FIRST)


def test_sorted_by_date_the_bound_changes_nothing(client, comets):
    found, _html = titles(client, q="comet", sort="date")
    assert found == [
        "Harbour notes",
        "Night shift",
        "Comet over the bay",
        "Quiet week",
        "Comet archive feature",
    ]


def test_pages_of_results_run_on_from_the_recent_to_the_older(client, comets):
    comets.UKIYO_ARTICLES_PER_PAGE = 2
    pages = [titles(client, q="comet", page=number)[0] for number in (1, 2, 3)]
    assert pages == [RECENT_FIRST[0:2], RECENT_FIRST[2:4], RECENT_FIRST[4:]]


@pytest.mark.parametrize(("offset", "limit"), [(0, 20), (0, 2), (1, 2), (2, 2), (3, 2), (4, 1)])
def test_cards_run_on_from_the_recent_to_the_older(client, comets, offset, limit):
    found, count = card_titles(client, offset=offset, limit=limit)
    assert found == RECENT_FIRST[offset : offset + limit]
    assert count == 5


def test_cards_of_every_language_leave_out_the_languages_without_pages(client, comets):
    """Without ``locale`` every language is searched: those with no pages at all do not
    change where the recent pages begin."""
    response = client.get("/api/v3/articles/", {"q": "comet"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == RECENT_FIRST


def test_a_language_with_fewer_pages_than_the_bound_has_every_match_ranked(
    client, comets, english_tree
):
    """Searched together with Japanese, English has fewer pages than the bound: all its
    pages are recent, so the languages together have no bound, and the Japanese matches are
    all ranked, as on a small site."""
    _home, en_index = english_tree
    article = en_index.add_child(instance=ArticlePageFactory.build(title="Comet watch"))
    article.save_revision().publish()
    response = client.get("/api/v3/articles/", {"q": "comet"})
    assert response.status_code == 200
    found = [item["title"] for item in response.json()["items"]]
    assert sorted(found) == sorted([*RECENT_FIRST, "Comet watch"])
    assert "Comet archive feature" in found[:3]  # its title counts, whatever its age


def test_cards_past_the_last_result_are_none(client, comets):
    assert card_titles(client, offset=5, limit=2) == ([], 5)
    assert card_titles(client, offset=40, limit=2) == ([], 5)


@pytest.mark.parametrize(("offset", "limit"), [(0, 20), (1, 2), (3, 2)])
def test_v2_search_gives_the_same_order(client, comets, offset, limit):
    response = client.get(
        "/api/v2/pages/",
        {"search": "comet", "locale": "ja", "offset": offset, "limit": limit},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["title"] for item in body["items"]] == RECENT_FIRST[offset : offset + limit]
    assert body["meta"]["total_count"] == 5


@pytest.mark.parametrize("sort", ["", "date"])
def test_the_first_page_reads_the_recent_matches_only(client, comets, sort):
    """A first page of results within the recent matches never reads the older ones, by
    relevance or by date. (How PostgreSQL finds the recent ones at scale, through both
    indexes together, is in docs/architecture.md: on a table this small it reads them
    through the words' index.)"""
    comets.UKIYO_ARTICLES_PER_PAGE = 2
    with executed_plans() as plans:
        response = client.get("/ja/search/", {"q": "comet", "sort": sort})
    assert response.status_code == 200
    # The results' rows; counting reads every match (once per change of the content).
    read = [plan for plan in plans if "COUNT(*)" not in plan]
    assert [plan for plan in read if "core_searchdocument_recent_matches" in plan], plans
    assert not [plan for plan in read if "_older_matches" in plan], plans
    assert not [plan for plan in plans if "core_searchdocument_matches(" in plan], plans


def test_the_query_budget_holds_with_a_bound(client, comets, django_assert_max_num_queries):
    client.get("/ja/search/", {"q": "comet"})  # the site and chrome, read once
    cache.clear()
    with django_assert_max_num_queries(12):
        found, _html = titles(client, q="comet")
    assert found == RECENT_FIRST


def test_a_bound_below_zero_is_refused_by_the_checks(settings):
    from core.checks import search_rate_limit

    settings.UKIYO_SEARCH_RECENT_PAGES = -1
    assert [error.id for error in search_rate_limit(None)] == ["ukiyo.E022"]


# Runs inside ``manage.py shell`` on SQLite: the same articles, the same searches.
ON_SQLITE = """
import json
from django.conf import settings
from django.test import Client
from wagtail.models import Site
from home.models import HomePage
from tests.factories import ArticleIndexPageFactory
from tests.search.recent import build

Site.objects.filter(is_default_site=True).update(hostname="testserver", port=80)
index = ArticleIndexPageFactory(parent=HomePage.objects.get(depth=2))
settings.UKIYO_SEARCH_RECENT_PAGES = build(index)
settings.UKIYO_SEARCH_RATE_LIMIT = "off"
client = Client()
answers = [client.get("/ja/search/", {"q": "comet"}).content.decode()]
for offset in (0, 3):
    query = {"locale": "ja", "q": "comet", "offset": offset, "limit": 2}
    answers.append(client.get("/api/v3/articles/", query).json())
print("ANSWERS " + json.dumps(answers))
"""


def test_sqlite_gives_the_same_order(tmp_path):
    env = sqlite.sqlite_env(tmp_path, "cms.settings.test", MEDIA_ROOT=str(tmp_path / "media"))
    result = sqlite.manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    result = sqlite.manage("shell", "-c", ON_SQLITE, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("ANSWERS "))
    html, first, fourth = json.loads(line.removeprefix("ANSWERS "))
    found = re.findall(r'class="search-result__title"><a [^>]*>(.*?)</a>', html)
    assert [re.sub(r"<[^>]+>", "", unescape(title)).strip() for title in found] == RECENT_FIRST
    assert [item["title"] for item in first["items"]] == RECENT_FIRST[0:2]
    assert [item["title"] for item in fourth["items"]] == RECENT_FIRST[3:5]
    assert first["count"] == fourth["count"] == 5
