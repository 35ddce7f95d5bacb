"""The listings' totals (v3 cards' ``count``, v2's ``meta.total_count``) are counted once per
change of the content, and exact.

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
V2 = "/api/v2/pages/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture(params=["v3", "v2"])
def cards(request, client):
    """``cards(**params)``: the listing's count, and whether the request counted in the
    database, in the API the test runs for."""

    def read(**params):
        url = V3 if request.param == "v3" else V2
        if request.param == "v2":
            params = {"type": "news.ArticlePage", **params}
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        counted = any("COUNT(" in query["sql"] for query in queries.captured_queries)
        data = response.json()
        return data["count"] if request.param == "v3" else data["meta"]["total_count"], counted

    return read


def test_the_count_is_counted_once_until_the_content_changes(cards, index, category):
    for _ in range(2):
        ArticlePageFactory(parent=index)
    ArticlePageFactory(parent=index, category=category)

    assert cards(locale="ja") == (3, True)
    assert cards(locale="ja") == (3, False)
    assert cards(locale="ja", offset=2, limit=1) == (3, False)
    # Another filter is another count.
    assert cards(locale="ja", category="space") == (1, True)
    assert cards(locale="ja", category="space") == (1, False)


def test_the_count_follows_publishing_unpublishing_and_restrictions(cards, index):
    first, second = ArticlePageFactory(parent=index), ArticlePageFactory(parent=index)
    assert cards(locale="ja")[0] == 2

    ArticlePageFactory(parent=index)
    assert cards(locale="ja") == (3, True)

    first.unpublish()
    assert cards(locale="ja") == (2, True)

    PageViewRestriction.objects.create(page=second, restriction_type="password", password="x")
    assert cards(locale="ja") == (1, True)

    first.save_revision().publish()
    assert cards(locale="ja") == (2, True)
    assert cards(locale="ja") == (2, False)


def test_a_list_empty_by_construction_is_counted_without_a_query(index):
    ArticlePageFactory(parent=index)  # the clock has moved: counts are kept
    with CaptureQueriesContext(connection) as queries:
        assert counts.count(ArticlePage.objects.none()) == 0
        assert counts.count(ArticlePage.objects.filter(pk__in=[])) == 0
    assert [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]] == []
