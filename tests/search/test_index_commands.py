"""Filling the search index again: rebuild_search_index (ukiyo's index only) and Wagtail's
update_index (both indexes), for a site that upgrades or changes its analysis."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page

from core.fulltext.tasks import reindex_pages
from core.models import SearchDocument
from tests.factories import ArticlePageFactory, paragraph, section
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(index, settings):
    settings.UKIYO_SEARCH_RATE_LIMIT = "off"
    return [
        ArticlePageFactory(
            parent=index,
            title=f"灯台の記録 {number}",
            body=[section("記録", [paragraph("灯台守が霧の夜を記録した。")])],
        )
        for number in range(3)
    ]


def found(client, query):
    """How many results; the page rendered, not kept (a parameter no page reads)."""
    cache.clear()
    html = client.get("/ja/search/", {"q": query, "fresh": "1"}).content.decode()
    return html.count('class="search-result__title"')


@pytest.mark.parametrize("command", ["rebuild_search_index", "update_index"])
def test_an_emptied_index_is_filled_again(client, articles, command):
    assert found(client, "灯台守") == 3
    SearchDocument.objects.all().delete()
    assert found(client, "灯台守") == 0

    output = StringIO()
    call_command(command, stdout=output)
    assert found(client, "灯台守") == 3
    # Every page is back, the home and index pages too.
    assert SearchDocument.objects.count() == Page.objects.count()
    if command == "rebuild_search_index":
        assert "news.ArticlePage: 3/3 (100 %)" in output.getvalue()
        assert "Indexed" in output.getvalue()


def test_a_chunk_size_below_one_is_refused(db):
    with pytest.raises(Exception, match="--chunk-size must be 1 or more"):
        call_command("rebuild_search_index", chunk_size=0, stdout=StringIO())


def test_searches_kept_while_the_index_was_empty_are_forgotten(client, articles):
    """A search made while the index is being written must not keep its count of 0."""
    SearchDocument.objects.all().delete()
    html = client.get("/ja/search/", {"q": "灯台守"}).content.decode()
    assert 'class="search-result__title"' not in html
    call_command("rebuild_search_index", stdout=StringIO())
    # The same URL, not bypassing any cache: the page and its count are made again.
    html = client.get("/ja/search/", {"q": "灯台守"}).content.decode()
    assert html.count('class="search-result__title"') == 3


def rows():
    return list(
        SearchDocument.objects.order_by("page_id").values_list(
            "page_id", "language_code", "date", "title", "text", "vector", "head"
        )
    )


def test_in_the_worker_the_chunks_write_what_the_command_writes(client, articles):
    call_command("rebuild_search_index", stdout=StringIO())
    written_here = rows()
    SearchDocument.objects.all().delete()

    output = StringIO()
    call_command("rebuild_search_index", in_worker=True, chunk_size=2, stdout=output)
    # Nothing written yet: the chunks wait for a worker (3 articles in chunks of 2, the home,
    # the articles index and the tree's root).
    assert SearchDocument.objects.count() == 0
    tasks = DBTaskResult.objects.filter(backend_name="worker", queue_name="search")
    assert sorted(task.args_kwargs["args"][0] for task in tasks) == [
        "home.HomePage",
        "news.ArticleIndexPage",
        "news.ArticlePage",
        "news.ArticlePage",
        "wagtailcore.Page",
    ]
    assert "Queued 5 task(s)" in output.getvalue()

    assert run_queued("search") == 5
    assert rows() == written_here
    assert found(client, "灯台守") == 3


def test_a_search_kept_before_a_chunk_is_made_again_after_it(client, articles):
    SearchDocument.objects.all().delete()
    html = client.get("/ja/search/", {"q": "灯台守"}).content.decode()
    assert 'class="search-result__title"' not in html

    call_command("rebuild_search_index", in_worker=True, stdout=StringIO())
    run_queued("search")
    # The same URL, not bypassing any cache: the page and its count are made again.
    html = client.get("/ja/search/", {"q": "灯台守"}).content.decode()
    assert html.count('class="search-result__title"') == 3


def test_a_chunk_of_a_page_type_that_is_gone_writes_nothing(db):
    assert reindex_pages.call("news.NoSuchPage", 1, 10) == 0
