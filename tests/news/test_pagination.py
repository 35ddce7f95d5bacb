"""All Articles at any depth: numbered pages at the top, pages by date further back."""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, override

from news.pagination import cursor
from tests.factories import ArticlePageFactory, CategoryFactory
from tests.news.test_rendering import TOKYO


@pytest.fixture
def archive(index, category, settings):
    """Seven articles, one a day, two per page, two numbered pages; odd ones in Space."""
    settings.UKIYO_ARTICLES_PER_PAGE = 2
    settings.UKIYO_ARTICLES_NUMBERED_PAGES = 2
    start = datetime(2025, 5, 1, 9, tzinfo=TOKYO)
    return [
        ArticlePageFactory(
            parent=index,
            title=f"Day {day}",
            display_date=start + timedelta(days=day),
            category=category if day % 2 else None,
        )
        for day in range(7, 0, -1)  # newest first, as the list shows them
    ]


def titles(response):
    assert response.status_code == 200
    return re.findall(r">(Day \d)</a>", response.content.decode())


def link(response, rel):
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def follow(client, index, href):
    """Links within the list are a query (``?page=2``) or a path with one."""
    return client.get(index.url + href if href.startswith("?") else href)


def canonical(response):
    found = re.search(r'<link rel="canonical" href="([^"]*)"', response.content.decode())
    return html.unescape(found.group(1))


def test_the_last_numbered_page_leads_on_by_date_to_the_oldest_article(client, index, archive):
    assert titles(client.get(index.url)) == ["Day 7", "Day 6"]
    second = client.get(index.url, {"page": 2})
    assert titles(second) == ["Day 5", "Day 4"]
    # The count stopped at the numbered pages: the status does not claim a total.
    status = re.search(r'class="listing-status">([^<]*)<', second.content.decode()).group(1)
    with override("ja"):
        assert status == gettext("Page %(number)s") % {"number": 2}
    older = link(second, "next")
    assert older == f"?before={cursor(archive[3])}"

    third = follow(client, index, older)
    assert titles(third) == ["Day 3", "Day 2"]
    assert canonical(third) == f"http://testserver{index.url}{older}"
    fourth = follow(client, index, link(third, "next"))
    assert titles(fourth) == ["Day 1"]
    assert link(fourth, "next") is None

    # Back towards the newest: the same pages, and the top is the first numbered page.
    back = follow(client, index, link(fourth, "prev"))
    assert titles(back) == ["Day 3", "Day 2"]
    back = follow(client, index, link(back, "prev"))
    assert titles(back) == ["Day 5", "Day 4"]
    top = follow(client, index, link(back, "prev"))
    assert titles(top) == ["Day 7", "Day 6"]
    assert canonical(top) == f"http://testserver{index.url}"


def test_a_page_number_past_the_numbered_pages_is_not_found(client, index, archive):
    for number in ("3", "999", str(2**63), "9" * 400):
        assert client.get(index.url, {"page": number}).status_code == 404, number


@pytest.mark.parametrize("number", ["abc", "0", "-1", "1.5", "\x00", ""])
def test_a_page_number_that_is_not_one_gives_a_numbered_page(client, index, archive, number):
    # As before: not a number is page 1, below 1 the last numbered page.
    assert titles(client.get(index.url, {"page": number})) in (
        ["Day 7", "Day 6"],
        ["Day 5", "Day 4"],
    )


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "\x00",
        "20251304T000000000000-1",  # month 13
        "20250501T000000000000-" + "9" * 19,  # beyond the database's integers
        "20250501T000000000000-1 ",
        "2025-05-01T00:00:00-1",
    ],
)
@pytest.mark.parametrize("direction", ["before", "after"])
def test_a_malformed_cursor_is_a_bad_request(client, index, archive, value, direction):
    assert client.get(index.url, {direction: value}).status_code == 400


def test_a_cursor_past_the_oldest_article_says_there_is_nothing_older(client, index, archive):
    response = client.get(index.url, {"before": "20000101T000000000000-1"})
    assert titles(response) == []
    with override("ja"):
        assert gettext("There are no older articles.") in response.content.decode()


def test_a_category_keeps_its_filter_on_every_page(client, index, archive, category):
    CategoryFactory(name="文化", slug="culture", locale=category.locale)
    first = client.get(index.url, {"category": category.slug})
    assert titles(first) == ["Day 7", "Day 5"]
    second = follow(client, index, link(first, "next"))
    assert titles(second) == ["Day 3", "Day 1"]
    assert link(second, "next") is None  # exactly two numbered pages: nothing further
    assert canonical(second) == f"http://testserver{index.url}?category=space&page=2"


def test_a_deep_page_costs_what_the_second_page_costs(client, index, archive):
    def sql(url):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in queries.captured_queries]

    second = sql(f"{index.url}?page=2")
    deep = sql(f"{index.url}?before={cursor(archive[5])}")
    assert len(deep) <= len(second)
    # No query skips rows (OFFSET) on the deep page, and no count reads the whole list.
    assert not any("OFFSET" in query for query in deep)
    counts = [query for query in second if "COUNT(" in query]
    assert counts and all("LIMIT 5" in query for query in counts)
