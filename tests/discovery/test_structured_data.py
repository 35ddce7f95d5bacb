"""schema.org JSON-LD, OpenGraph and the visible breadcrumb, as search engines and link
previews read them."""

import json
import re
from datetime import timedelta

import pytest

from tests.conftest import translate_page
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    add_author,
    reference,
)

pytestmark = pytest.mark.django_db

# The properties schema.org defines for each type used (https://schema.org/<Type>): a
# misspelt property is ignored by search engines, so the test refuses it.
SCHEMA = {
    "NewsArticle": {
        "headline",
        "description",
        "url",
        "mainEntityOfPage",
        "inLanguage",
        "datePublished",
        "dateModified",
        "author",
        "publisher",
        "isAccessibleForFree",
        "image",
        "articleSection",
        "keywords",
        "citation",
        "correction",
    },
    "WebPage": {"@id"},
    "Person": {"name", "jobTitle", "url"},
    "Organization": {"name", "url", "logo", "sameAs"},
    "ImageObject": {"url"},
    "CreativeWork": {"name", "url", "publisher", "datePublished"},
    "CorrectionComment": {"text", "datePublished"},
    "BreadcrumbList": {"itemListElement"},
    "ListItem": {"position", "name", "item"},
    "WebSite": {"name", "url", "inLanguage", "publisher", "potentialAction"},
    "SearchAction": {"target", "query-input"},
    "EntryPoint": {"urlTemplate"},
}


def check_types(node):
    """Every object has a known ``@type`` and only that type's properties."""
    if isinstance(node, list):
        for item in node:
            check_types(item)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("@type")
    assert kind in SCHEMA, kind
    assert set(node) - {"@context", "@type"} <= SCHEMA[kind], (kind, set(node) - SCHEMA[kind])
    for value in node.values():
        check_types(value)


def json_ld(client, url):
    html = client.get(url).content.decode()
    found = [
        json.loads(text)
        for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]
    for data in found:
        assert data["@context"] == "https://schema.org"
        check_types(data)
    return {data["@type"]: data for data in found}, html


@pytest.fixture
def article(index, locales):
    space = CategoryFactory(name="宇宙", slug="space")
    author = AuthorFactory(name="山田花子", role="科学記者")
    page = ArticlePageFactory(
        parent=index,
        title="月面着陸 </script><b>",
        slug="moon",
        summary="探査機が月に降りた。",
        category=space,
        lead_image=ImageFactory(width=2400, height=1600),
        references=[reference(1, "jaxa.jp"), reference(2, "apnews.com")],
    )
    add_author(page, author)
    page.tags.add("JAXA", "月")
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_an_article_is_a_news_article_field_by_field(client, article):
    found, html = json_ld(client, article.url)

    data = found["NewsArticle"]
    url = f"http://testserver{article.url}"
    assert data["headline"] == "月面着陸 </script><b>"
    assert "</script><b>" not in html.split("application/ld+json")[1].split("</script>")[0]
    assert data["description"] == "探査機が月に降りた。"
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["inLanguage"] == "ja"
    assert data["datePublished"] == article.display_date.isoformat()
    assert data["dateModified"] == article.display_date.isoformat()
    slug = article.article_authors.get().author.slug
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "山田花子",
            "jobTitle": "科学記者",
            "url": f"http://testserver/ja/authors/{slug}/",
        }
    ]
    assert data["publisher"]["name"] == "ukiyo"
    assert data["publisher"]["logo"]["url"].startswith("http://testserver/static/")
    assert data["isAccessibleForFree"] is True
    assert data["articleSection"] == "宇宙"
    assert data["keywords"] == ["JAXA", "月"]
    shapes = [re.search(r"fill-(\d+)x(\d+)", image).groups() for image in data["image"]]
    assert shapes == [("1200", "675"), ("1200", "900"), ("1200", "1200")]
    assert [work["url"] for work in data["citation"]] == [
        reference["url"] for reference in article.numbered_references.values()
    ]
    assert data["citation"][0]["@type"] == "CreativeWork"


def test_an_updated_article_says_when(client, article):
    now = article.display_date
    article.display_date, article.updated_date = now - timedelta(days=2), now - timedelta(days=1)
    article.save_revision().publish()

    found, _html = json_ld(client, article.url)

    assert found["NewsArticle"]["dateModified"] == article.updated_date.isoformat()


@pytest.mark.parametrize(("code", "home_name"), [("en", "Home"), ("th", "หน้าแรก")])
def test_a_translation_speaks_its_language(client, article, locales, code, home_name):
    translation = translate_page(article, locales[code], title=f"Moon ({code})")
    found, _html = json_ld(client, translation.url)

    assert found["NewsArticle"]["inLanguage"] == code
    assert found["NewsArticle"]["headline"] == f"Moon ({code})"
    crumbs = found["BreadcrumbList"]["itemListElement"]
    assert crumbs[0]["name"] == home_name
    assert crumbs[0]["item"] == f"http://testserver/{code}/"
    assert crumbs[-1]["item"] == f"http://testserver{translation.url}"
    assert [crumb["position"] for crumb in crumbs] == list(range(1, len(crumbs) + 1))


def test_the_breadcrumb_is_shown_and_described(client, article, index):
    found, html = json_ld(client, article.url)

    crumbs = found["BreadcrumbList"]["itemListElement"]
    assert [(c["name"], c["item"]) for c in crumbs] == [
        ("ホーム", "http://testserver/ja/"),
        (index.title, f"http://testserver{index.url}"),
        ("宇宙", f"http://testserver{index.url}?category=space"),
        (article.title, f"http://testserver{article.url}"),
    ]
    nav = re.search(r'<nav class="breadcrumb" aria-label="パンくずリスト">(.*?)</nav>', html, re.S)
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))
    assert links == [
        ("/ja/", "ホーム"),
        (index.url, index.title),
        (f"{index.url}?category=space", "宇宙"),
    ]


def test_lists_have_a_breadcrumb(client, article, index):
    found, html = json_ld(client, "/ja/articles/?category=space")

    crumbs = found["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["ホーム", index.title, "宇宙"]
    assert 'aria-current="page">宇宙</a>' in html
    found, html = json_ld(client, "/ja/articles/")
    assert [c["name"] for c in found["BreadcrumbList"]["itemListElement"]] == [
        "ホーム",
        index.title,
    ]


def test_the_home_page_describes_the_site_and_its_search(client, home, settings):
    settings.UKIYO_ORGANIZATION_SAME_AS = [
        "https://x.example/ukiyo",
        "https://mastodon.example/@ukiyo",
    ]

    found, _html = json_ld(client, "/ja/")

    site = found["WebSite"]
    assert site["url"] == "http://testserver/ja/"
    assert site["inLanguage"] == "ja"
    target = site["potentialAction"]["target"]["urlTemplate"]
    assert target == "http://testserver/ja/search/?q={search_term_string}"
    assert site["potentialAction"]["query-input"] == "required name=search_term_string"
    assert site["publisher"]["sameAs"] == settings.UKIYO_ORGANIZATION_SAME_AS


def test_opengraph_names_locales_section_tags_and_authors(client, article, locales):
    translate_page(article, locales["en"], title="Moon")
    html = client.get(article.url).content.decode()

    def meta(name):
        return re.findall(rf'<meta property="{name}" content="([^"]*)">', html)

    assert meta("og:locale") == ["ja_JP"]
    assert meta("og:locale:alternate") == ["en_US"]
    assert meta("article:section") == ["宇宙"]
    assert meta("article:tag") == ["JAXA", "月"]
    assert meta("article:author") == ["山田花子"]
    assert re.findall(r'<meta name="twitter:card" content="([^"]*)">', html) == [
        "summary_large_image"
    ]
