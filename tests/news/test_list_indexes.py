"""The indexes the lists of articles and the search need exist, and their queries can use them.

On a test database the planner would rather sort a few rows than read an index; with sorting
and sequential scans priced out, the plan says whether the query can be served by the index
at all (an ordering or a filter that stops matching it shows here, not in production).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.pagination import cursor
from tests.factories import ArticlePageFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans and the search index are PostgreSQL's"
)


# The indexes that can give a list its order.
LIST_INDEXES = {"article_by_date", "article_category_by_date"}


def plan(sql, params=None, only_index=None):
    """The plan of ``sql``; with ``only_index``, the other list indexes dropped first (inside
    the test's transaction, rolled back with it): whether that index can serve the query,
    whatever the sizes and statistics earlier tests left make the planner prefer."""
    with connection.cursor() as cursor_:
        for other in sorted(LIST_INDEXES - {only_index}) if only_index else ():
            cursor_.execute(f"DROP INDEX {other}")
        cursor_.execute("SET LOCAL enable_sort = off")
        cursor_.execute("SET LOCAL enable_seqscan = off")
        cursor_.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor_.fetchall())


def listing_queries(client, url):
    """The queries that read the rows of a list, in its order (not its count)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        query["sql"]
        for query in queries.captured_queries
        if '"news_articlepage"."display_date" DESC' in query["sql"]
        and not query["sql"].startswith("SELECT COUNT(")
    ]


@pytest.fixture
def articles(index, category):
    return [ArticlePageFactory(parent=index, category=category) for _ in range(3)]


def test_the_indexes_exist(db):
    with connection.cursor() as cursor_:
        constraints = connection.introspection.get_constraints(cursor_, "news_articlepage")
        search = connection.introspection.get_constraints(cursor_, "wagtailsearch_indexentry")
    assert constraints["article_by_date"]["columns"] == ["display_date", "page_ptr_id"]
    assert constraints["article_category_by_date"]["columns"] == [
        "category_id",
        "display_date",
        "page_ptr_id",
    ]
    assert "search_entry_title_body_gin" in search


@pytest.mark.parametrize(
    ("url", "index_name"),
    [
        ("{list}", "article_by_date"),
        ("{list}?before={cursor}", "article_by_date"),
        ("{list}?category=space", "article_category_by_date"),
        ("/api/v3/articles/?locale=ja", "article_by_date"),
    ],
)
def test_the_lists_read_their_index(client, index, articles, url, index_name):
    url = url.format(list=index.url, cursor=cursor(articles[1]))
    queries = listing_queries(client, url)
    assert queries
    for sql in queries:
        # An index-only scan when the list reads no more than the index holds (the API's
        # cards read ids first: news.api.articles.cards_of).
        read = re.search(
            rf"Index (Only )?Scan Backward using {index_name}\b", plan(sql, only_index=index_name)
        )
        assert read, sql


def test_a_search_of_pages_matches_the_vector_the_gin_index_serves(client, index, articles):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/ja/search/", {"q": "moon"}).status_code == 200
    # The matches come from the database's function, whose condition is ``vector @@`` (the
    # plans it executes: tests/search/test_search_plans.py) ...
    assert any("core_searchdocument_matches(" in q["sql"] for q in queries.captured_queries)
    # ... which the index serves.
    assert "core_searchdocument_vector_gin" in plan(
        "SELECT COUNT(*) FROM core_searchdocument WHERE vector @@ %s::tsquery", ["'moon'"]
    )


def test_wagtails_own_search_matches_the_expression_of_the_title_and_body_index(client, db):
    """Images, documents and snippets are searched by Wagtail's database search."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v2/images/", {"search": "moon"}).status_code == 200
    searches = [q["sql"] for q in queries.captured_queries if "@@" in q["sql"]]
    expression = '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@'
    assert searches and all(expression in sql for sql in searches)
    assert "search_entry_title_body_gin" in plan(
        "SELECT COUNT(*) FROM wagtailsearch_indexentry WHERE (title || body) @@ to_tsquery('moon')"
    )


def test_routing_can_read_the_url_path_index_for_each_of_its_lookups(client, articles):
    with connection.cursor() as cursor_:
        constraints = connection.introspection.get_constraints(cursor_, "wagtailcore_page")
    assert constraints["core_page_url_path"]["columns"] == ["url_path"]
    assert constraints["core_page_url_path"]["type"] == "hash"

    with CaptureQueriesContext(connection) as queries:
        assert client.get(articles[0].url).status_code == 200
    routing = [q["sql"] for q in queries.captured_queries if '"url_path" IN (' in q["sql"]]
    assert len(routing) == 1
    # The lookups are joined by UNION ALL: an OR between them makes PostgreSQL read every page.
    assert "UNION ALL" in routing[0] and " OR " not in routing[0], routing[0]
    # On the test database the tree path's index is as good; the URL path's serves both
    # lookups of the routing query.
    path = articles[0].url_path
    assert "Index Scan on core_page_url_path" in plan(
        'SELECT "id" FROM "wagtailcore_page" WHERE "url_path" IN (%s, %s)', ["/home/", path]
    )
    assert "core_page_url_path" in plan(
        'SELECT "id" FROM "wagtailcore_page" WHERE "url_path" = %s', [path]
    )
