"""The v3 cards' total (``count``) is counted once per change of the content, and exact.

Counting every live article of a language is what grows with the archive (core.counts); the
count is kept until the content clock moves, which it does after each commit. Transactional:
the clock moves after a commit, never inside the test's own transaction.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from core import counts
from news.models import ArticlePage
from tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

V3 = "/api/v3/articles/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def cards(client, **params):
    """The count, and whether the request counted in the database."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(V3, params)
    assert response.status_code == 200
    counted = any("COUNT(" in query["sql"] for query in queries.captured_queries)
    return response.json()["count"], counted


def test_the_count_is_counted_once_until_the_content_changes(client, index, category):
    for _ in range(2):
        ArticlePageFactory(parent=index)
    ArticlePageFactory(parent=index, category=category)

    assert cards(client, locale="ja") == (3, True)
    assert cards(client, locale="ja") == (3, False)
    assert cards(client, locale="ja", offset=2, limit=1) == (3, False)
    # Another filter is another count.
    assert cards(client, locale="ja", category="space") == (1, True)
    assert cards(client, locale="ja", category="space") == (1, False)


def test_the_count_follows_publishing_unpublishing_and_restrictions(client, index):
    first, second = ArticlePageFactory(parent=index), ArticlePageFactory(parent=index)
    assert cards(client, locale="ja")[0] == 2

    ArticlePageFactory(parent=index)
    assert cards(client, locale="ja") == (3, True)

    first.unpublish()
    assert cards(client, locale="ja") == (2, True)

    PageViewRestriction.objects.create(page=second, restriction_type="password", password="x")
    assert cards(client, locale="ja") == (1, True)

    first.save_revision().publish()
    assert cards(client, locale="ja") == (2, True)
    assert cards(client, locale="ja") == (2, False)


def test_a_list_empty_by_construction_is_counted_without_a_query(index):
    ArticlePageFactory(parent=index)  # the clock has moved: counts are kept
    with CaptureQueriesContext(connection) as queries:
        assert counts.count(ArticlePage.objects.none()) == 0
        assert counts.count(ArticlePage.objects.filter(pk__in=[])) == 0
    assert [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]] == []
