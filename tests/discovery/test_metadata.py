"""What a search engine or a link preview reads in a page's head: the description of lists."""

import re

import pytest

from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def description(client, url):
    html = client.get(url).content.decode()
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1, found
    og = re.findall(r'<meta property="og:description" content="([^"]*)">', html)
    assert og == found
    return found[0]


def test_all_articles_is_described_by_its_introduction_or_the_site(client, index, english_tree):
    index.intro = "<p>宇宙と科学の<b>最新</b>ニュース &amp; 解説。</p>"
    index.save_revision().publish()

    assert description(client, "/ja/articles/") == "宇宙と科学の最新ニュース &amp; 解説。"
    assert description(client, "/en/articles/") == "The latest articles of ukiyo."


def test_a_search_description_wins(client, index):
    index.search_description = "すべての記事の一覧"
    index.save_revision().publish()

    assert description(client, "/ja/articles/") == "すべての記事の一覧"


def test_a_category_page_is_described_by_its_category(client, index, locales):
    CategoryFactory(name="宇宙", slug="space", description="宇宙開発の最前線。")
    CategoryFactory(name="科学", slug="science", description="")

    assert description(client, "/ja/articles/?category=space") == "宇宙開発の最前線。"
    assert description(client, "/ja/articles/?category=science") == "科学の最新記事。"
