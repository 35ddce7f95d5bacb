"""Both APIs find a page by the path readers see it at, language prefix included."""

from urllib.parse import quote

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


# -- paths as browsers give them ------------------------------------------------------------


@pytest.fixture
def thai_article(index, english_tree, locales):
    """A Japanese article with a Japanese slug, and its Thai translation with a Thai slug
    (a vowel sign and a tone mark, which browsers percent-encode byte by byte)."""
    article = ArticlePageFactory(parent=index, title="月面着陸に成功", slug="月面着陸")
    thai = translate_page(article, locales["th"], title="ลงจอดบนดวงจันทร์", slug="ลงจอด-ดวงจันทร์")
    return article, thai


@pytest.mark.parametrize("api", ["v2", "v3"])
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/ja/articles/月面着陸/", "月面着陸に成功"),
        ("/th/articles/ลงจอด-ดวงจันทร์/", "ลงจอดบนดวงจันทร์"),
        ("/articles/月面着陸/", "月面着陸に成功"),  # no prefix: the source language
    ],
)
def test_find_takes_the_path_as_typed_and_as_location_pathname_gives_it(
    client, thai_article, api, path, title
):
    """``location.pathname`` of a Thai or Japanese slug is percent-encoded UTF-8; the decoded
    path a person types must keep working too."""
    encoded = quote(path)
    assert encoded != path

    for html_path in (path, encoded, encoded.lower()):
        response = client.get(f"/api/{api}/pages/find/", {"html_path": html_path}, follow=True)

        assert response.status_code == 200, (html_path, response.content)
        assert response.json()["title"] == title


@pytest.mark.parametrize("api", ["v2", "v3"])
@pytest.mark.parametrize(
    "html_path",
    [
        "/th/articles/%E0%B8%A5%E0%B8%87%E0%B8%88%E0%B8%AD%E0%B8%94/",  # a slug nobody has
        "/ja/articles/%00/",  # an encoded NUL: no page has one, the database never sees it
        "/ja/articles/%FF%FE/",  # not UTF-8
        "/ja/articles/%ZZ/",  # not an escape at all
        "/ja/%2e%2e/articles/",
    ],
)
def test_encoded_paths_that_show_no_page_are_404s(client, thai_article, api, html_path):
    response = client.get(f"/api/{api}/pages/find/", {"html_path": html_path}, follow=True)

    assert response.status_code == 404, response.content
    assert "json" in response["Content-Type"]


@pytest.mark.parametrize("api", ["v2", "v3"])
@pytest.mark.parametrize("path", ["/ja/articles/moon-landing/", "/articles/moon-landing/"])
@pytest.mark.parametrize("extra", [{}, {"locale": "en"}])
def test_a_site_whose_port_is_no_number_is_a_400(client, english_article, api, path, extra):
    response = client.get(
        f"/api/{api}/pages/find/", {"html_path": path, "site": "testserver:abc", **extra}
    )

    assert response.status_code == 400
    assert "port" in response.content.decode()
