"""The site and the page routing starts from, read from the cache (core.sites): no query of
their own once read, and fresh after every change that moves them, also with the page cache
off (a logged-in reader, a form page)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory

LANGUAGES = ["ja", "th"]


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    settings.UKIYO_PAGE_CACHE = False


@pytest.fixture
def homes(home, index, locales):
    """Home and All Articles in Japanese and Thai, with one article each."""
    article = ArticlePageFactory(parent=index, title="Rain ja", slug="rain")
    th_home = translate_page(home, locales["th"], title="Home th")
    translate_page(article, locales["th"], title="Rain th")
    return {"ja": home, "th": th_home}


def tables_read(client, url):
    """The tables the queries of a request read from (their FROM), and the response."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    tables = {
        query["sql"].split(" FROM ", 1)[1].split()[0].strip('"')
        for query in queries.captured_queries
        if " FROM " in query["sql"]
    }
    return tables, response


@pytest.mark.parametrize("path", ["", "articles/rain/"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_is_routed_without_reading_the_site_or_its_root_again(client, homes, language, path):
    url = f"/{language}/{path}"
    first, _ = tables_read(client, url)
    assert {"wagtailcore_site", "wagtailcore_locale"} <= first

    again, response = tables_read(client, url)
    assert "wagtailcore_site" not in again
    assert "wagtailcore_locale" not in again
    content = response.content.decode()
    assert f'<html lang="{language}"' in content
    if language == "th":
        assert ("Rain th" if path else "Home th") in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_republished_home_is_fresh_without_the_page_cache(client, homes, language):
    url = f"/{language}/"
    client.get(url)
    page = homes[language]
    page.title = f"Front page {language}"
    page.save_revision().publish()

    assert f"Front page {language}" in client.get(url).content.decode()


def test_a_home_published_in_a_new_language_is_routed_at_once(client, homes, locales):
    # No Hindi home yet: /hi/ shows the site's root page (the source language), as Wagtail does.
    assert "Home hi" not in client.get("/hi/").content.decode()
    hi_home = translate_page(homes["ja"], locales["hi"], title="Home hi")

    assert "Home hi" in client.get("/hi/").content.decode()

    hi_home.refresh_from_db()  # translate_page publishes a revision, not this copy
    hi_home.unpublish()
    response = client.get("/hi/")
    assert response.status_code == 200
    assert "Home hi" not in response.content.decode()


def test_a_changed_site_is_read_again(client, homes):
    assert client.get("/th/").status_code == 200
    site = Site.objects.get(is_default_site=True)
    site.is_default_site = False
    site.hostname = "elsewhere.example"
    site.save()

    assert client.get("/th/").status_code == 404

    site.is_default_site = True
    site.save()
    assert client.get("/th/").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_host_the_site_does_not_answer_leaves_nothing_in_the_cache(client, homes, method):
    """A request for a host outside ALLOWED_HOSTS leaves no cache entry, also when it is
    answered before Django checks the host (a body over the limit: the 413 page, with the
    site's header and footer): any client could otherwise fill the cache with one entry per
    host name it makes up."""
    from core import pagecache

    too_large = {"CONTENT_LENGTH": str(50 * 1024 * 1024)} if method == "post" else {}
    response = getattr(client, method)("/ja/", HTTP_HOST="made-up.example", **too_large)

    assert response.status_code in (400, 413)
    assert pagecache.cache().get("piece:site:made-up.example:80") is None
    assert client.get("/ja/").status_code == 200
    assert pagecache.cache().get("piece:site:testserver:80") is not None
