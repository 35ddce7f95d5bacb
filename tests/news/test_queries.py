"""SQL query budgets of the reader pages: the count must not grow with the content."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    add_author,
    paragraph,
    reference,
    rich_body,
    section,
)

# The most queries a warm article page or list may cost. Routing, the site chrome (home
# pages, footer links, article index) and the page's own relations all fit in it.
ARTICLE_BUDGET = 30
LIST_BUDGET = 30


def queries_for(client, url):
    """Queries of a second, warm request (renditions are created on the first one), rendered
    anew: the page cache is emptied first (the page, and the chrome it keeps)."""
    assert client.get(url).status_code == 200
    caches[settings.UKIYO_PAGE_CACHE_ALIAS].clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def make_article(index, category, size):
    images = [ImageFactory() for _ in range(size)]
    article = ArticlePageFactory(
        parent=index,
        category=category,
        lead_image=ImageFactory(),
        body=rich_body(size, images=images),
        references=[reference(n) for n in range(1, size + 1)],
        tags=[f"tag{n}" for n in range(size)],
    )
    for order in range(min(size, 5)):
        add_author(article, AuthorFactory(), order)
    return article


def test_article_page_costs_the_same_for_2_or_20_sections_references_and_images(
    client, index, category, django_assert_max_num_queries
):
    small = make_article(index, category, 2)
    large = make_article(index, category, 20)
    small_count = queries_for(client, small.url)
    large_count = queries_for(client, large.url)
    assert small_count == large_count
    caches[settings.UKIYO_PAGE_CACHE_ALIAS].clear()
    with django_assert_max_num_queries(ARTICLE_BUDGET):
        client.get(large.url)


@pytest.mark.parametrize("view", ["index", "home"])
def test_lists_cost_the_same_for_5_or_50_articles(
    client, home, index, category, settings, view, django_assert_max_num_queries
):
    settings.UKIYO_ARTICLES_PER_PAGE = 50
    url = (index if view == "index" else home).url

    def fill(count):
        existing = index.get_children().count()
        for _ in range(count - existing):
            ArticlePageFactory(parent=index, category=category, lead_image=ImageFactory())

    fill(5)
    five = queries_for(client, url)
    fill(50)
    fifty = queries_for(client, url)
    assert five == fifty
    caches[settings.UKIYO_PAGE_CACHE_ALIAS].clear()
    with django_assert_max_num_queries(LIST_BUDGET):
        client.get(url)


def test_article_page_costs_the_same_for_2_or_20_links_to_other_pages(client, index, home):
    targets = [ArticlePageFactory(parent=index) for _ in range(20)]

    def linked_article(count):
        body = [
            section(f"Section {n}", [paragraph(f'See <a linktype="page" id="{page.pk}">this</a>.')])
            for n, page in enumerate(targets[:count])
        ]
        return ArticlePageFactory(parent=index, body=body)

    small, large = linked_article(2), linked_article(20)
    assert queries_for(client, small.url) == queries_for(client, large.url)
    html = client.get(large.url).content.decode()
    assert f'href="{targets[19].url}"' in html
