"""robots.txt, the sitemap index, the sitemaps per language with their hreflang alternates,
and the Google News sitemap, as a crawler reads them."""

import datetime
import gzip
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from core import pagecache
from discovery import sitemaps
from home.models import HomePage
from tests.conftest import translate_page
from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    add_author,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
LANGUAGES = ["ja", "en", "zh-hans", "es", "fr", "ko", "de", "th", "hi"]


def xml(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    if status != 200:
        return None
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314


def urlset(client, url):
    """``{location: {hreflang: href}}`` of a sitemap."""
    return {
        node.findtext("s:loc", namespaces=NS): {
            link.get("hreflang"): link.get("href") for link in node.findall("xhtml:link", NS)
        }
        for node in xml(client, url).findall("s:url", NS)
    }


def head_alternates(client, url):
    html = client.get(url).content.decode()
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html))


# -- robots.txt ----------------------------------------------------------------------------


def test_robots_names_the_sitemap_and_keeps_crawlers_out_of_private_paths(client, home):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/admin/", "/api/", "/ja/accounts/", "/hi/accounts/", "/th/search/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    # Outside the language prefixes: no redirect to /ja/robots.txt.
    assert client.get("/robots.txt", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_a_staging_site_disallows_everything(client, home, settings):
    settings.UKIYO_ROBOTS_DISALLOW_ALL = True

    lines = client.get("/robots.txt").content.decode().splitlines()

    assert lines == ["User-agent: *", "Disallow: /"]


def test_robots_and_sitemaps_refuse_writes(client, home):
    for url in ("/robots.txt", "/sitemap.xml", "/sitemap-ja-1.xml", "/sitemap-news.xml"):
        assert client.post(url).status_code == 405, url


# -- the index -----------------------------------------------------------------------------


def test_the_index_lists_each_language_and_the_news_sitemap(client, index, english_tree):
    root = xml(client, "/sitemap.xml")

    locations = [node.findtext("s:loc", namespaces=NS) for node in root.findall("s:sitemap", NS)]
    assert locations == [
        "http://testserver/sitemap-ja-1.xml",
        "http://testserver/sitemap-en-1.xml",
        "http://testserver/sitemap-news.xml",
    ]
    assert root.find("s:sitemap/s:lastmod", NS) is not None


def test_sitemaps_are_paginated(client, index, monkeypatch):
    monkeypatch.setattr(sitemaps, "PAGE_SIZE", 2)
    ArticlePageFactory.create_batch(3, parent=index)  # home, index and three articles: 5

    root = xml(client, "/sitemap.xml")

    locations = [node.findtext("s:loc", namespaces=NS) for node in root.findall("s:sitemap", NS)]
    assert locations[:3] == [f"http://testserver/sitemap-ja-{n}.xml" for n in (1, 2, 3)]
    pages = [urlset(client, f"/sitemap-ja-{n}.xml") for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert len(set().union(*pages)) == 5
    xml(client, "/sitemap-ja-4.xml", status=404)


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-xx-1.xml",
        "/sitemap-ja-0.xml",
        "/sitemap-ja-01.xml",
        "/sitemap-ja-999999.xml",
        "/sitemap-ja-9223372036854775808.xml",
        "/sitemap-ja-1.xml%00",
        "/sitemap-ja.xml",
    ],
)
def test_a_sitemap_that_does_not_exist_is_a_404(client, index, url):
    assert client.get(url).status_code == 404


# -- a language's sitemap ------------------------------------------------------------------


def test_a_sitemap_lists_live_public_pages_of_its_language_only(
    client, index, english_tree, locales, root_page, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    shown = ArticlePageFactory(parent=index, title="見える", slug="shown")
    draft = ArticlePageFactory(parent=index, title="下書き", slug="draft")
    draft.unpublish()
    private = ArticlePageFactory(parent=index, title="非公開", slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    other_home = root_page.add_child(
        instance=HomePage(title="Other", slug="other", locale=locales["ja"])
    )
    ArticlePageFactory(parent=ArticleIndexPageFactory(parent=other_home), slug="elsewhere")
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)

    japanese = urlset(client, "/sitemap-ja-1.xml")
    english = urlset(client, "/sitemap-en-1.xml")

    assert set(japanese) == {
        "http://testserver/ja/",
        "http://testserver/ja/articles/",
        shown.full_url,  # with two sites, Wagtail's URLs name their host
    }
    assert set(english) == {"http://testserver/en/", "http://testserver/en/articles/"}
    other = ET.fromstring(  # noqa: S314
        client.get("/sitemap-ja-1.xml", HTTP_HOST="other.example").content
    )
    assert [n.findtext("s:loc", namespaces=NS) for n in other.findall("s:url", NS)] == [
        "http://other.example/ja/",
        "http://other.example/ja/articles/",
        "http://other.example/ja/articles/elsewhere/",
    ]


@pytest.mark.parametrize("translated", [1, 3, 9])
def test_alternates_match_the_page_heads(client, index, locales, translated):
    article = ArticlePageFactory(parent=index, title="月の裏側", slug="far-side")
    pages = [article]
    for code in LANGUAGES[1:translated]:
        pages.append(translate_page(article, locales[code], title=f"Far side ({code})"))

    for page in pages:
        code = page.locale.language_code
        entries = urlset(client, f"/sitemap-{code}-1.xml")
        location = f"http://testserver{page.url}"
        assert location in entries, code
        head = head_alternates(client, page.url)
        assert entries[location] == head, code
        assert len(head) == translated + 1  # each translation and x-default
        assert head["x-default"] == f"http://testserver{article.url}"


def test_a_page_without_its_source_translation_has_no_x_default(client, index, locales):
    article = ArticlePageFactory(parent=index, slug="moon")
    english = translate_page(article, locales["en"], title="The Moon")
    article.unpublish()

    entries = urlset(client, "/sitemap-en-1.xml")

    assert entries[f"http://testserver{english.url}"] == {"en": f"http://testserver{english.url}"}
    assert entries[f"http://testserver{english.url}"] == head_alternates(client, english.url)


def test_thai_and_hindi_addresses_are_written_as_the_pages_link_them(client, index, locales):
    article = ArticlePageFactory(parent=index, slug="moon")
    thai = translate_page(article, locales["th"], title="ดวงจันทร์", slug="ดวงจันทร์")
    hindi = translate_page(article, locales["hi"], title="चंद्रमा", slug="चंद्रमा")
    thai, hindi = (Page.objects.get(pk=page.pk) for page in (thai, hindi))  # their new URLs

    entries = urlset(client, "/sitemap-th-1.xml")

    assert f"http://testserver{thai.url}" in entries
    assert entries[f"http://testserver{thai.url}"]["hi"] == f"http://testserver{hindi.url}"
    assert "%E0%B8" in thai.url  # percent-encoded, as in the page's own links
    assert entries[f"http://testserver{thai.url}"] == head_alternates(client, thai.url)


def test_lead_images_are_listed(client, index):
    image = ImageFactory()
    article = ArticlePageFactory(parent=index, slug="with-image", lead_image=image)

    root = xml(client, "/sitemap-ja-1.xml")

    found = {
        node.findtext("s:loc", namespaces=NS): node.findtext("image:image/image:loc", namespaces=NS)
        for node in root.findall("s:url", NS)
    }
    assert found[f"http://testserver{article.url}"] == f"http://testserver{image.file.url}"
    assert found["http://testserver/ja/"] is None


def test_lastmod_is_the_last_publication(client, index):
    article = ArticlePageFactory(parent=index, slug="dated")
    article.save_revision().publish()
    article.refresh_from_db()

    root = xml(client, "/sitemap-ja-1.xml")

    for node in root.findall("s:url", NS):
        if node.findtext("s:loc", namespaces=NS).endswith("/dated/"):
            lastmod = datetime.datetime.fromisoformat(node.findtext("s:lastmod", namespaces=NS))
            assert abs(lastmod - article.last_published_at) < datetime.timedelta(seconds=1)
            break
    else:
        pytest.fail("the article is not listed")


# -- cost, freshness, HTTP ----------------------------------------------------------------------


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_archive(client, index, locales):
    translate_page(ArticlePageFactory(parent=index, lead_image=ImageFactory()), locales["en"])
    urls = ["/sitemap.xml", "/sitemap-ja-1.xml", "/sitemap-en-1.xml", "/sitemap-news.xml"]
    few = {}
    for url in urls:
        pagecache.clear()
        few[url] = queries(client, url)
    for _ in range(6):
        article = ArticlePageFactory(parent=index, lead_image=ImageFactory())
        translate_page(article, locales["en"])

    for url in urls:
        pagecache.clear()
        assert queries(client, url) == few[url], url
    assert max(few.values()) <= 8


def test_a_sitemap_is_kept_until_the_content_changes(client, index):
    first = client.get("/sitemap-ja-1.xml")
    assert queries(client, "/sitemap-ja-1.xml") <= 1  # the content clock

    article = ArticlePageFactory(parent=index, slug="breaking")

    assert f"http://testserver{article.url}" in urlset(client, "/sitemap-ja-1.xml")
    assert client.get("/sitemap-ja-1.xml")["ETag"] != first["ETag"]


def test_sitemaps_answer_conditional_requests(client, index):
    response = client.get("/sitemap-ja-1.xml")
    assert "public" in response["Cache-Control"]

    again = client.get("/sitemap-ja-1.xml", HTTP_IF_NONE_MATCH=response["ETag"])

    assert again.status_code == 304
    assert again.content == b""


# -- Google News --------------------------------------------------------------------------


def test_the_news_sitemap_lists_the_last_two_days_in_every_language(client, index, locales):
    now = timezone.now()
    recent = ArticlePageFactory(
        parent=index, title="速報 <地震> & 津波", display_date=now - datetime.timedelta(hours=47)
    )
    ArticlePageFactory(parent=index, slug="old", display_date=now - datetime.timedelta(hours=49))
    chinese = translate_page(recent, locales["zh-hans"], title="快讯")

    root = xml(client, "/sitemap-news.xml")

    items = {
        node.findtext("s:loc", namespaces=NS): node.find("news:news", NS)
        for node in root.findall("s:url", NS)
    }
    assert set(items) == {f"http://testserver{recent.url}", f"http://testserver{chinese.url}"}
    japanese = items[f"http://testserver{recent.url}"]
    assert japanese.findtext("news:title", namespaces=NS) == "速報 <地震> & 津波"
    assert japanese.findtext("news:publication/news:language", namespaces=NS) == "ja"
    assert japanese.findtext("news:publication/news:name", namespaces=NS)
    published = japanese.findtext("news:publication_date", namespaces=NS)
    assert datetime.datetime.fromisoformat(published) == recent.display_date.replace(microsecond=0)
    chinese_item = items[f"http://testserver{chinese.url}"]
    assert chinese_item.findtext("news:publication/news:language", namespaces=NS) == "zh-cn"


def test_the_news_sitemap_holds_at_most_its_limit_newest_first(client, index, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_LIMIT", 2)
    now = timezone.now()
    articles = [
        ArticlePageFactory(parent=index, display_date=now - datetime.timedelta(hours=hours))
        for hours in (5, 1, 3)
    ]

    root = xml(client, "/sitemap-news.xml")

    locations = [node.findtext("s:loc", namespaces=NS) for node in root.findall("s:url", NS)]
    assert locations == [f"http://testserver{articles[i].url}" for i in (1, 2)]


def test_a_crawler_that_accepts_gzip_gets_the_same_sitemap_compressed(client, index):
    plain = client.get("/sitemap-ja-1.xml")
    compressed = client.get("/sitemap-ja-1.xml", HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["ETag"] == plain["ETag"]
    assert "Accept-Encoding" in compressed["Vary"]


# -- authors' pages --------------------------------------------------------------------------


@pytest.mark.parametrize("translated", [1, 3])
def test_authors_pages_are_listed_with_the_alternates_of_their_heads(
    client, index, locales, translated
):
    author = AuthorFactory(name="山田花子", slug="hanako", locale=locales["ja"])
    article = ArticlePageFactory(parent=index, slug="moon")
    add_author(article, author)
    article.save_revision().publish()
    for code in LANGUAGES[1:translated]:
        version = author.copy_for_translation(locales[code])
        version.name = f"Hanako ({code})"
        version.save()

    root = xml(client, "/sitemap.xml")
    locations = [node.findtext("s:loc", namespaces=NS) for node in root.findall("s:sitemap", NS)]
    for code in LANGUAGES[:translated]:
        assert f"http://testserver/sitemap-{code}-authors.xml" in locations
        entries = urlset(client, f"/sitemap-{code}-authors.xml")
        location = f"http://testserver/{code}/authors/hanako/"
        assert list(entries) == [location]
        assert entries[location] == head_alternates(client, f"/{code}/authors/hanako/"), code
        assert len(entries[location]) == translated + 1  # each translation and x-default
    lastmods = xml(client, "/sitemap-ja-authors.xml").findall("s:url/s:lastmod", NS)
    assert len(lastmods) == 1  # the date of the Japanese article; the others list none
    xml(client, f"/sitemap-{LANGUAGES[translated]}-authors.xml", status=404)


@pytest.mark.parametrize("url", ["/sitemap-xx-authors.xml", "/sitemap-ja-authors.xml%00"])
def test_an_authors_sitemap_that_does_not_exist_is_a_404(client, index, locales, url):
    AuthorFactory(slug="hanako", locale=locales["ja"])
    assert client.get(url).status_code == 404
