"""The number of results of a reader's search is counted once per change of the content.

Counting reads every match (core.counts); the number is kept until the content clock moves,
after a commit. Transactional: the clock never moves inside the test's own transaction.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import full_article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def search(client, query):
    """The results line of the (Japanese) page, and whether the request counted in the database."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ja/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    status = html.split('class="listing-status" role="status">')[1].split("</p>")[0]
    counted = any("COUNT(" in query["sql"] for query in queries.captured_queries)
    return status, counted


def test_a_search_is_counted_once_until_the_content_changes(client, index):
    for number in range(2):
        full_article(index, title="Moon landing", slug=f"moon-landing-{number}")

    assert search(client, "Moon") == ("「Moon」の検索結果：2件", True)
    assert search(client, "Moon") == ("「Moon」の検索結果：2件", False)
    # Another search is counted on its own.
    assert search(client, "landing") == ("「landing」の検索結果：2件", True)

    moon = full_article(index, title="Moon rock")
    assert search(client, "Moon") == ("「Moon」の検索結果：3件", True)

    moon.unpublish()
    assert search(client, "Moon") == ("「Moon」の検索結果：2件", True)
    assert search(client, "Moon") == ("「Moon」の検索結果：2件", False)
