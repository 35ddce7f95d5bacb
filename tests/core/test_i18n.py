"""Language-prefixed URLs, the redirect from ``/`` and language-scoped search."""

import pytest

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-GB,en;q=0.9", "/en/"),
        ("ja", "/ja/"),
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("de-CH, fr;q=0.5", "/de/"),
        ("sv-SE", "/ja/"),  # not a site language: the newsroom's source language
        ("", "/ja/"),
    ],
)
def test_root_redirects_to_the_readers_best_language(client, home, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_root_redirect_follows_a_remembered_language_choice(client, home, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/ko/"


def test_unprefixed_page_path_redirects_to_the_prefixed_one(client, index):
    response = client.get("/articles/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 302
    assert response["Location"] == "/ja/articles/"


def test_every_page_names_its_language(client, home, index, english_tree):
    for url, lang in [
        ("/ja/", "ja"),
        ("/ja/articles/", "ja"),
        ("/en/", "en"),
        ("/en/articles/", "en"),
    ]:
        html = client.get(url).content.decode()
        assert f'<html lang="{lang}" dir="ltr">' in html, url


def test_unknown_page_is_a_404_page_in_the_readers_language(client, home, english_tree):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "ukiyo" in html


def test_search_finds_pages_of_the_current_language_only(client, index, english_tree, locales):
    article = ArticlePageFactory(parent=index, title="Lunar lander report", summary="Lander")
    translate_page(article, locales["en"], title="Lunar lander report in English")
    ja = client.get("/ja/search/", {"q": "lander"}).content.decode()
    en = client.get("/en/search/", {"q": "lander"}).content.decode()
    assert article.url in ja and "/en/articles/" not in ja
    assert "/en/articles/" in en and article.url not in en


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000, "%", "<script>alert(1)</script>"])
def test_search_handles_odd_input_without_error(client, home, query):
    response = client.get("/ja/search/", {"q": query, "page": "nope"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
