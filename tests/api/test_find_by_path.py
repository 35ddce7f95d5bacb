"""Both APIs find a page by the path readers see it at, language prefix included."""

import pytest
from django.core.cache import cache

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # Wagtail caches the site root paths


@pytest.fixture
def english_article(index, english_tree, locales):
    """A Japanese article and its published English translation, both at .../moon-landing/."""
    article = ArticlePageFactory(parent=index, title="月面着陸に成功", slug="moon-landing")
    return translate_page(article, locales["en"], title="Moon landing succeeds")


@pytest.fixture
def draft(index):
    return ArticlePageFactory(parent=index, title="下書き", slug="draft-story", live=False)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/ja/articles/moon-landing/", "月面着陸に成功"),
        ("/en/articles/moon-landing/", "Moon landing succeeds"),
        ("en/articles/moon-landing", "Moon landing succeeds"),  # slashes are optional
        ("/articles/moon-landing/", "月面着陸に成功"),  # no prefix: the source language
    ],
)
def test_v2_finds_the_page_a_reader_path_shows(client, english_article, path, title):
    response = client.get("/api/v2/pages/find/", {"html_path": path}, follow=True)

    assert response.status_code == 200
    assert response.json()["title"] == title


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/ja/articles/moon-landing/", "月面着陸に成功"),
        ("/en/articles/moon-landing/", "Moon landing succeeds"),
        ("/articles/moon-landing/", "月面着陸に成功"),
    ],
)
def test_v3_finds_the_page_a_reader_path_shows(client, english_article, path, title):
    response = client.get("/api/v3/pages/find/", {"html_path": path}, follow=True)

    assert response.status_code == 200
    assert response.json()["title"] == title
    assert response.redirect_chain[-1][0].startswith(f"/api/v3/pages/{response.json()['id']}/")


@pytest.mark.parametrize("api", ["v2", "v3"])
@pytest.mark.parametrize(
    "path",
    [
        "/fr/articles/moon-landing/",  # not translated into French
        "/en/articles/no-such-story/",
        "/ja/articles/draft-story/",  # a draft is not published at any path
        "/ja/articles/moon-landing/extra/",
    ],
)
def test_paths_that_show_no_published_page_are_json_404s(client, english_article, draft, api, path):
    response = client.get(f"/api/{api}/pages/find/", {"html_path": path}, follow=True)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/")
    assert "json" in response["Content-Type"]


def test_v3_keeps_the_other_query_parameters(client, english_article):
    response = client.get(
        "/api/v3/pages/find/",
        {"html_path": "/en/articles/moon-landing/", "rich_text_format": "html"},
    )

    assert response.status_code == 302
    assert "rich_text_format=html" in response["Location"]
    assert f"id={english_article.pk}" in response["Location"]
    assert "html_path" not in response["Location"]
