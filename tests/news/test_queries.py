"""SQL query budgets of the reader pages: a dozen at most, and never more for more content.

Each page is measured on a second request (renditions are created on the first one) with no
page cache. The site chrome (``core.chrome``: every page the header, footer and language menu
link to) and the consent data (``consent.site``: the banner texts and the settings) are
counted apart as well: they are the same on every page of a language, and a cache that keeps
them takes them off every page.
"""

import traceback
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from news.models import ArticleCorrection
from tests.conftest import translate_page, without_nonce
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

# The most queries a page may cost, the chrome and consent included (issue 12).
PAGE_BUDGET = 12
# What core.chrome and consent.site cost when nothing has kept them: one query each.
SHARED_BUDGET = 1 + 1
SHARED_MODULES = ("core/chrome.py", "consent/site.py")


class Counted:
    """The queries of one request: the page's own, and those of the chrome and consent."""

    def __init__(self):
        self.own, self.shared = [], []

    def __call__(self, execute, sql, params, many, context):
        files = {Path(frame.filename).as_posix() for frame in traceback.extract_stack()}
        shared = any(file.endswith(module) for file in files for module in SHARED_MODULES)
        (self.shared if shared else self.own).append(sql)
        return execute(sql, params, many, context)


def queries_for(client, url):
    """How many queries a second, warm request to ``url`` costs (other apps' tests use it)."""
    counted = counted_queries(client, url)
    return len(counted.own) + len(counted.shared)


def counted_queries(client, url):
    """The queries of a second, warm request to ``url`` (renditions are created on the first
    one), rendered anew: the page cache is emptied first (the page, and the chrome it keeps)."""
    assert client.get(url).status_code == 200
    caches[settings.UKIYO_PAGE_CACHE_ALIAS].clear()
    counted = Counted()
    with connection.execute_wrapper(counted):
        response = client.get(url)
    assert response.status_code == 200
    return counted


def assert_within_budget(counted):
    assert len(counted.own) + len(counted.shared) <= PAGE_BUDGET, "\n".join(counted.own)
    assert len(counted.shared) <= SHARED_BUDGET, "\n".join(counted.shared)


def make_article(index, category, size, authors):
    images = [ImageFactory() for _ in range(size)]
    article = ArticlePageFactory(
        parent=index,
        category=category,
        lead_image=ImageFactory(),
        body=rich_body(size, images=images),
        references=[reference(n) for n in range(1, size + 1)],
        tags=[f"tag{n}" for n in range(size)],
    )
    for order in range(authors):
        add_author(article, AuthorFactory(), order)
    return article


def test_article_page_costs_the_same_for_more_sections_references_images_authors_translations(
    client, index, category, english_tree, locales
):
    small = make_article(index, category, 2, authors=1)
    large = make_article(index, category, 20, authors=5)
    for code in ("en", "fr", "de", "ko"):
        translate_page(large, locales[code])

    small_count = counted_queries(client, small.url)
    large_count = counted_queries(client, large.url)

    assert len(small_count.own) == len(large_count.own)
    assert len(small_count.shared) == len(large_count.shared)
    assert_within_budget(large_count)
    html = client.get(large.url).content.decode()
    assert html.count('rel="alternate" hreflang=') == 6  # five languages and x-default


def test_a_translated_article_costs_the_same_in_its_own_language(
    client, index, category, english_tree, locales
):
    article = make_article(index, category, 3, authors=2)
    english = translate_page(article, locales["en"])

    japanese_count = counted_queries(client, article.url)
    english_count = counted_queries(client, english.url)

    assert_within_budget(english_count)
    assert len(english_count.own) <= len(japanese_count.own) + 1  # the English home's lookup


@pytest.mark.parametrize("view", ["index", "category", "home"])
def test_lists_cost_the_same_for_5_or_50_articles(client, home, index, category, settings, view):
    settings.UKIYO_ARTICLES_PER_PAGE = 50
    url = {"index": index.url, "category": f"{index.url}?category=space", "home": home.url}[view]

    def fill(count):
        existing = index.get_children().count()
        for _ in range(count - existing):
            article = ArticlePageFactory(
                parent=index, category=category, lead_image=ImageFactory(), featured=True
            )
            add_author(article, AuthorFactory())

    fill(5)
    five = counted_queries(client, url)
    fill(50)
    fifty = counted_queries(client, url)

    assert len(five.own) == len(fifty.own)
    assert_within_budget(fifty)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "articles/",
        "articles/?category=space",
        "corrections/",
        "feeds/articles.rss",
        "feeds/articles.atom",
    ],
)
def test_lists_read_no_body_nor_sources_of_their_articles(client, home, index, category, path):
    # A card, a feed item or a correction shows neither: each article's JSON would be read
    # and decoded for nothing.
    article = make_article(index, category, 2, authors=1)
    article.corrections.add(
        ArticleCorrection(kind="correction", published=article.display_date, text="直しました。")
    )
    article.save_revision().publish()
    url = f"/ja/{path}"

    counted = counted_queries(client, url)

    assert article.title in client.get(url).content.decode()
    read = [sql for sql in counted.own if "news_articlepage" in sql]
    assert read
    for column in ('"news_articlepage"."body"', '"news_articlepage"."references"'):
        assert not [sql for sql in read if column in sql], column


def test_article_page_costs_the_same_for_2_or_20_links_to_other_pages(client, index, home):
    targets = [ArticlePageFactory(parent=index) for _ in range(20)]

    def linked_article(count):
        body = [
            section(f"Section {n}", [paragraph(f'See <a linktype="page" id="{page.pk}">this</a>.')])
            for n, page in enumerate(targets[:count])
        ]
        return ArticlePageFactory(parent=index, body=body)

    small, large = linked_article(2), linked_article(20)
    assert len(counted_queries(client, small.url).own) == len(
        counted_queries(client, large.url).own
    )
    html = client.get(large.url).content.decode()
    assert f'href="{targets[19].url}"' in html


def test_the_renditions_of_every_image_of_an_article_come_in_one_query(
    client, index, category, django_assert_max_num_queries
):
    """Lead image and body figures, every srcset width: one query, also when the renditions
    are not in Django's cache (a fresh worker)."""
    from django.core.cache import cache

    article = make_article(index, category, 6, authors=1)
    client.get(article.url)  # creates the renditions
    cache.clear()

    counted = counted_queries(client, article.url)

    renditions = [sql for sql in counted.own if 'FROM "wagtailimages_rendition"' in sql]
    assert len(renditions) == 1


def test_a_page_under_a_view_restriction_still_asks_for_the_password(client, index, category):
    """Routing checks the restrictions of the page and its ancestors in one query."""
    from wagtail.models import PageViewRestriction

    article = make_article(index, category, 2, authors=1)
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )

    html = client.get(article.url).content.decode()

    assert 'type="password"' in html
    assert "article__body" not in html


def test_the_home_page_reads_no_locale_of_its_own(client, home, index):
    """Wagtail's routing reads a home page without its locale; its language menu reads its
    translations with theirs, which name its language: only Wagtail's lookup of the active
    locale is left."""
    ArticlePageFactory(parent=index)

    counted = counted_queries(client, home.url)

    locales = [sql for sql in counted.own if 'FROM "wagtailcore_locale"' in sql]
    assert len(locales) == 1, "\n".join(locales)


def test_an_article_missed_by_the_page_cache_is_read_from_its_kept_route_and_parts(
    client, index, category, english_tree, locales, settings
):
    """Its route (core.sites) and its kept parts (head metadata, the article) come from the
    cache: however large the article, a logged-in reader's or an uncached request reads
    nothing from the database."""
    settings.UKIYO_PAGE_CACHE = False
    large = make_article(index, category, 20, authors=5)
    targets = [ArticlePageFactory(parent=index) for _ in range(3)]
    large.body = [
        *large.body.raw_data,
        section("Links", [paragraph(f'<a linktype="page" id="{targets[0].pk}">this</a>')]),
    ]
    large.save_revision().publish()
    english = translate_page(large, locales["en"])
    for article in (large, english):
        first = client.get(article.url)
        counted = Counted()
        with connection.execute_wrapper(counted):
            second = client.get(article.url)

        assert second.status_code == 200
        assert counted.own + counted.shared == []
        assert without_nonce(second.content) == without_nonce(first.content)
