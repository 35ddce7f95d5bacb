"""Each author's page, in every language they are translated into: who they are and their
articles, linked from bylines, JSON-LD and their feeds."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from news import views
from news.models import Author
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, AuthorFactory, ImageFactory, add_author

pytestmark = pytest.mark.django_db


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


@pytest.fixture
def hanako(locales):
    return AuthorFactory(
        name="山田花子",
        slug="hanako",
        role="科学記者",
        bio="宇宙と地球科学を担当。",
        locale=locales["ja"],
    )


@pytest.fixture
def newsroom(index, hanako, english_tree, locales):
    """Two of Hanako's articles and a colleague's in Japanese; Hanako in English too, with
    one English article; a draft and a private article of hers."""
    colleague = AuthorFactory(name="佐藤", slug="sato", locale=locales["ja"])
    moon = ArticlePageFactory(
        parent=index, title="月面着陸", slug="moon", display_date=ago(hours=1)
    )
    mars = ArticlePageFactory(
        parent=index, title="火星の氷", slug="mars", display_date=ago(hours=2)
    )
    other = ArticlePageFactory(parent=index, title="新しい元素", slug="element")
    for page in (moon, mars):
        add_author(page, hanako)
    add_author(other, colleague)
    draft = ArticlePageFactory(parent=index, title="下書き", slug="draft")
    add_author(draft, hanako)
    draft.unpublish()
    private = ArticlePageFactory(parent=index, title="非公開", slug="private")
    add_author(private, hanako)
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    english_hanako = hanako.copy_for_translation(locales["en"])
    english_hanako.name, english_hanako.role = "Hanako Yamada", "Science reporter"
    english_hanako.save()
    english_moon = translate_page(moon, locales["en"], title="Moon landing")
    english_moon.article_authors.all().delete()
    add_author(english_moon, english_hanako)
    return {"moon": moon, "mars": mars, "english_hanako": english_hanako}


def read(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def titles(html):
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def json_ld(html):
    return [
        json.loads(block) for block in re.findall(r'application/ld\+json">(.*?)</script>', html)
    ]


def test_an_authors_page_says_who_they_are_and_lists_their_live_articles(client, newsroom):
    html = read(client, "/ja/authors/hanako/")

    assert "<h1>山田花子</h1>" in html
    assert "科学記者" in html and "宇宙と地球科学を担当。" in html
    assert titles(html) == ["月面着陸", "火星の氷"]  # the newest first; no draft, no private
    assert '<meta name="description" content="宇宙と地球科学を担当。">' in html
    assert '<link rel="canonical" href="http://testserver/ja/authors/hanako/">' in html
    english = read(client, "/en/authors/hanako/")
    assert "<h1>Hanako Yamada</h1>" in english
    assert titles(english) == ["Moon landing"]


@pytest.mark.parametrize(
    "url",
    ["/ja/authors/nobody/", "/th/authors/hanako/", "/ja/authors/%00/", "/ja/authors/sato%27/"],
)
def test_an_author_who_is_not_there_is_a_404(client, newsroom, url):
    read(client, url, status=404)


def test_its_languages_are_the_authors_translations(client, newsroom):
    html = read(client, "/ja/authors/hanako/")

    alternates = dict(re.findall(r'hreflang="([^"]+)" href="([^"]+)"', html))
    assert alternates == {
        "ja": "http://testserver/ja/authors/hanako/",
        "x-default": "http://testserver/ja/authors/hanako/",
        "en": "http://testserver/en/authors/hanako/",
    }


def test_bylines_json_ld_and_feeds_lead_to_the_authors_page(client, newsroom):
    article = read(client, newsroom["moon"].url)
    assert '<a class="byline__name" href="/ja/authors/hanako/">山田花子</a>' in article
    news = next(data for data in json_ld(article) if data["@type"] == "NewsArticle")
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "山田花子",
            "jobTitle": "科学記者",
            "url": "http://testserver/ja/authors/hanako/",
        }
    ]

    page = read(client, "/ja/authors/hanako/")
    profile = next(data for data in json_ld(page) if data["@type"] == "ProfilePage")
    assert profile["mainEntity"]["url"] == "http://testserver/ja/authors/hanako/"
    assert profile["mainEntity"]["description"] == "宇宙と地球科学を担当。"
    assert 'href="/ja/feeds/author/hanako.rss"' in page
    feed = read(client, "/ja/feeds/author/hanako.rss")
    assert "<link>http://testserver/ja/authors/hanako/</link>" in feed


def test_the_page_is_cached_and_fresh_after_a_change(client, newsroom, hanako, index):
    assert client.get("/ja/authors/hanako/")["X-Page-Cache"] == "miss"
    assert client.get("/ja/authors/hanako/")["X-Page-Cache"] == "hit"

    hanako.role = "編集委員"
    hanako.save()
    assert "編集委員" in read(client, "/ja/authors/hanako/")

    newest = ArticlePageFactory(parent=index, title="彗星", slug="comet")
    add_author(newest, Author.objects.get(pk=hanako.pk))
    newest.save_revision().publish()
    assert titles(read(client, "/ja/authors/hanako/"))[0] == "彗星"


def test_a_new_translation_of_the_author_joins_the_cached_pages_languages(
    client, newsroom, hanako, locales
):
    assert client.get("/ja/authors/hanako/")["X-Page-Cache"] == "miss"
    assert client.get("/ja/authors/hanako/")["X-Page-Cache"] == "hit"

    thai = hanako.copy_for_translation(locales["th"])
    thai.name = "ฮานาโกะ"
    thai.save()

    html = read(client, "/ja/authors/hanako/")
    assert 'hreflang="th" href="http://testserver/th/authors/hanako/"' in html


def test_pages_of_articles_and_their_canonical(client, newsroom, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 1)

    first, second = read(client, "/ja/authors/hanako/"), read(client, "/ja/authors/hanako/?page=2")

    assert titles(first) == ["月面着陸"] and titles(second) == ["火星の氷"]
    assert '<link rel="canonical" href="http://testserver/ja/authors/hanako/?page=2">' in second
    for page in ("abc", "-1", str(2**63), "1'\""):
        assert titles(read(client, f"/ja/authors/hanako/?page={page}"))


def test_the_page_refuses_writes(client, newsroom):
    assert client.post("/ja/authors/hanako/").status_code == 405


def test_query_counts_do_not_grow_with_the_number_of_articles(client, newsroom, hanako, index):
    def count():
        client.get("/ja/authors/hanako/?nocache=1")  # new images: their renditions made
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ja/authors/hanako/?nocache=1").status_code == 200
        return len(captured.captured_queries)

    # Cards with lead images: their renditions are read in one query, whatever their number.
    add_author(ArticlePageFactory(parent=index, lead_image=ImageFactory()), hanako)
    few = count()
    for _ in range(6):
        article = ArticlePageFactory(parent=index, lead_image=ImageFactory())
        add_author(article, hanako)
    assert count() == few


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cdn_is_told_of_the_authors_page_and_feeds(client, newsroom, hanako, cdn):
    expected = {
        "http://testserver/ja/authors/hanako/",
        "http://testserver/ja/feeds/author/hanako.rss",
        "http://testserver/ja/feeds/author/hanako.atom",
    }
    moon = newsroom["moon"]
    moon.title = "月面着陸、その後"
    moon.save_revision().publish()
    assert expected <= set(cdn)

    cdn.clear()
    hanako.bio = "宇宙を担当。"
    hanako.save()
    assert expected <= set(cdn)
    assert "http://testserver/en/authors/hanako/" not in cdn
