"""RSS and Atom feeds per language, category and author, as a feed reader reads them."""

import datetime
import re

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from core import pagecache
from discovery import feeds
from tests.conftest import translate_page
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    add_author,
    image_block,
    paragraph,
    reference,
    rich_body,
    section,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FEEDS = ["feeds/articles.rss", "feeds/articles.atom"]


def read(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    if status != 200:
        return None
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


@pytest.fixture
def newsroom(index, english_tree, locales):
    """Three Japanese articles, two in English; a Thai one; a draft and a private one."""
    space = CategoryFactory(name="宇宙", slug="space")
    hanako = AuthorFactory(name="山田花子", slug="hanako")
    image = ImageFactory()
    moon = ArticlePageFactory(
        parent=index,
        title="月面着陸",
        slug="moon",
        display_date=hours_ago(1),
        category=space,
        lead_image=image,
        summary="探査機が月に降りた。",
    )
    add_author(moon, hanako)
    moon.tags.add("JAXA")
    moon.save()
    mars = ArticlePageFactory(
        parent=index, title="火星の氷", slug="mars", display_date=hours_ago(2)
    )
    add_author(mars, hanako)
    element = ArticlePageFactory(parent=index, title="新しい元素", display_date=hours_ago(3))
    english = {
        page.pk: translate_page(page, locales["en"], title=title)
        for page, title in ((moon, "Moon landing"), (mars, "Ice on Mars"))
    }
    thai = translate_page(moon, locales["th"], title="ลงจอดบนดวงจันทร์")
    draft = ArticlePageFactory(parent=index, title="下書き", display_date=hours_ago(0.5))
    draft.unpublish()
    private = ArticlePageFactory(parent=index, title="非公開", display_date=hours_ago(0.5))
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    return {
        "moon": moon,
        "mars": mars,
        "element": element,
        "english": english,
        "thai": thai,
        "space": space,
        "hanako": hanako,
        "image": image,
    }


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize(
    ("language", "titles"),
    [
        ("ja", ["月面着陸", "火星の氷", "新しい元素"]),
        ("en", ["Moon landing", "Ice on Mars"]),
        ("th", ["ลงจอดบนดวงจันทร์"]),
    ],
)
def test_a_language_feed_lists_its_own_live_public_articles_newest_first(
    client, newsroom, feed, language, titles
):
    parsed = read(client, f"/{language}/{feed}")

    assert [entry.title for entry in parsed.entries] == titles
    assert parsed.feed.language == language if feed.endswith(".rss") else True
    assert parsed.feed.link == f"http://testserver/{language}/articles/"


@pytest.mark.parametrize("feed", FEEDS)
def test_an_item_says_what_a_reader_needs(client, newsroom, feed):
    moon = newsroom["moon"]

    entry = read(client, f"/ja/{feed}").entries[0]

    assert entry.title == "月面着陸"
    assert entry.link == f"http://testserver{moon.url}"
    assert entry.summary == "探査機が月に降りた。"
    assert entry.author == "山田花子"
    assert {tag.term for tag in entry.tags} == {"宇宙", "JAXA"}
    published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
    assert abs(published - moon.display_date) < datetime.timedelta(seconds=1)
    enclosure = next(link for link in entry.links if link.rel == "enclosure")
    assert enclosure.href == f"http://testserver{newsroom['image'].file.url}"
    assert enclosure.type.startswith("image/")
    assert entry.id == f"tag:testserver,2025:page:{moon.pk}"


def test_an_items_id_outlives_its_title_and_slug(client, newsroom):
    moon = newsroom["moon"]
    before = read(client, "/ja/feeds/articles.rss").entries[0].id

    moon.title, moon.slug = "月面着陸に成功", "moon-landing"
    moon.save_revision().publish()

    entry = read(client, "/ja/feeds/articles.rss").entries[0]
    assert (entry.title, entry.id) == ("月面着陸に成功", before)
    assert entry.link.endswith("/moon-landing/")


def test_a_feed_holds_at_most_its_number_of_items(client, newsroom, monkeypatch):
    monkeypatch.setattr(feeds, "ITEMS", 2)

    assert [e.title for e in read(client, "/ja/feeds/articles.atom").entries] == [
        "月面着陸",
        "火星の氷",
    ]


@pytest.mark.parametrize("extension", ["rss", "atom"])
def test_category_and_author_feeds(client, newsroom, extension):
    category = read(client, f"/ja/feeds/category/space.{extension}")
    author = read(client, f"/ja/feeds/author/hanako.{extension}")

    assert [e.title for e in category.entries] == ["月面着陸"]
    assert category.feed.title.startswith("宇宙")
    assert category.feed.link == "http://testserver/ja/articles/?category=space"
    assert [e.title for e in author.entries] == ["月面着陸", "火星の氷"]
    assert author.feed.title.startswith("山田花子")


@pytest.mark.parametrize(
    "url",
    [
        "/ja/feeds/category/nowhere.rss",
        "/en/feeds/category/space.rss",  # the category has no English translation
        "/ja/feeds/author/nobody.atom",
        "/ja/feeds/category/sp%00ace.rss",
        "/ja/feeds/author/%27%22%3C.rss",
        "/ja/feeds/articles.json",
    ],
)
def test_a_feed_that_does_not_exist_is_a_404(client, newsroom, url):
    assert client.get(url, follow=True).status_code == 404


def test_feeds_refuse_writes(client, newsroom):
    assert client.post("/ja/feeds/articles.rss").status_code == 405


def test_every_page_links_its_languages_feeds(client, newsroom):
    html = client.get("/en/").content.decode()

    links = re.findall(
        r'<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)">', html
    )
    assert links == [
        ("application/rss+xml", "ukiyo (RSS)", "/en/feeds/articles.rss"),
        ("application/atom+xml", "ukiyo (Atom)", "/en/feeds/articles.atom"),
    ]
    assert 'href="/en/feeds/articles.rss" type="application/rss+xml">RSS</a>' in html  # footer


def test_a_category_page_links_its_categorys_feeds(client, newsroom):
    html = client.get("/ja/articles/?category=space").content.decode()

    assert 'href="/ja/feeds/category/space.rss"' in html
    assert 'href="/ja/feeds/category/space.atom"' in html
    assert "/feeds/category/" not in client.get("/ja/articles/").content.decode()


# -- cost, freshness, HTTP ----------------------------------------------------------------------


def test_feeds_are_kept_like_pages_and_fresh_after_a_publication(client, newsroom, index):
    assert client.get("/ja/feeds/articles.rss")["X-Page-Cache"] == "miss"
    assert client.get("/ja/feeds/articles.rss")["X-Page-Cache"] == "hit"
    assert client.get("/en/feeds/articles.rss")["X-Page-Cache"] == "miss"

    ArticlePageFactory(parent=index, title="速報", display_date=hours_ago(0))

    assert read(client, "/ja/feeds/articles.rss").entries[0].title == "速報"
    assert client.get("/en/feeds/articles.rss")["X-Page-Cache"] == "hit"


def test_renaming_a_category_or_an_author_refreshes_their_feeds(client, newsroom):
    read(client, "/ja/feeds/category/space.rss")
    read(client, "/ja/feeds/author/hanako.rss")

    newsroom["space"].name = "宇宙開発"
    newsroom["space"].save()
    newsroom["hanako"].name = "山田 花子"
    newsroom["hanako"].save()

    assert read(client, "/ja/feeds/category/space.rss").feed.title.startswith("宇宙開発")
    assert read(client, "/ja/feeds/author/hanako.rss").entries[0].author == "山田 花子"


@pytest.mark.parametrize("page_cache", [True, False])
def test_feeds_answer_conditional_requests(client, newsroom, settings, page_cache):
    settings.UKIYO_PAGE_CACHE = page_cache
    first = client.get("/ja/feeds/articles.atom")
    client.get("/ja/feeds/articles.atom")  # from the page cache, when it is on

    by_tag = client.get("/ja/feeds/articles.atom", HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get("/ja/feeds/articles.atom", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert (by_tag.status_code, by_date.status_code) == (304, 304)
    assert by_tag.content == b""


def test_query_counts_do_not_grow_with_the_number_of_articles(client, newsroom, index):
    def count(url):
        pagecache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    urls = [
        "/ja/feeds/articles.rss",
        "/ja/feeds/category/space.atom",
        "/ja/feeds/author/hanako.rss",
    ]
    few = {url: count(url) for url in urls}
    for _ in range(8):
        article = ArticlePageFactory(
            parent=index, category=newsroom["space"], lead_image=ImageFactory()
        )
        add_author(article, newsroom["hanako"])
        article.tags.add("Moon", "JAXA")
        article.save()

    assert {url: count(url) for url in urls} == few
    assert max(few.values()) <= 10


def test_a_category_feed_links_its_page_with_the_slug_quoted(client, newsroom):
    CategoryFactory(name="天文", slug="天文")

    parsed = read(client, "/ja/feeds/category/%E5%A4%A9%E6%96%87.rss")

    assert parsed.feed.link == "http://testserver/ja/articles/?category=%E5%A4%A9%E6%96%87"
    assert parsed.entries == []


@pytest.mark.parametrize("extension", ["rss", "atom"])
def test_full_content_carries_each_article_whole_with_absolute_urls(
    client, index, settings, extension
):
    settings.UKIYO_FEEDS_FULL_CONTENT = True
    image = ImageFactory()
    article = ArticlePageFactory(
        parent=index,
        title="月面着陸",
        lead_image=image,
        body=[
            section(
                "着陸の瞬間",
                [
                    paragraph(f'探査機は<a linktype="page" id="{index.pk}">ここ</a>に降りた。'),
                    image_block(image),
                ],
            )
        ],
        references=[reference(1)],
    )

    entry = read(client, f"/ja/feeds/articles.{extension}").entries[0]

    assert entry.link.endswith(article.url)
    content = entry.content[0].value
    assert "着陸の瞬間" in content and "探査機は" in content
    assert entry.summary == article.summary  # the summary stays the summary
    assert f'href="http://testserver{index.url}"' in content
    sources = re.findall(r'(?:src|srcset)="([^"]+)"', content)
    assert sources and all(url.startswith("http://testserver/") for url in sources), sources
    assert not re.search(r'(?:href|src)="/(?!/)', content)


@pytest.mark.parametrize("extension", ["rss", "atom"])
def test_without_full_content_an_item_has_its_summary_only(client, newsroom, extension):
    entry = read(client, f"/ja/feeds/articles.{extension}").entries[0]

    assert entry.summary and "content" not in entry


def test_full_content_reads_at_most_one_query_more_per_article(client, index, settings, locales):
    """The summary feeds read a fixed number of queries (above); whole articles read their
    corrections and renditions together, and each body's figures with that body."""
    settings.UKIYO_FEEDS_FULL_CONTENT = True

    def count():
        pagecache.clear()
        client.get("/ja/feeds/articles.rss")  # new images: their renditions made
        pagecache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ja/feeds/articles.rss").status_code == 200
        return len(captured.captured_queries)

    def add(number):
        for _ in range(number):
            image = ImageFactory()
            article = ArticlePageFactory(
                parent=index, lead_image=image, body=rich_body(2, images=[image])
            )
            add_author(article, AuthorFactory(locale=locales["ja"]))

    add(2)
    few = count()
    add(6)
    assert count() - few <= 6
