"""API reads: ETag and 304, Cache-Control by who asks, Vary."""

import pytest
from django.core.cache import cache

from tests.factories import ArticlePageFactory


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_anonymous_reads_are_cacheable_and_revalidate_with_304(client, article, api, settings):
    settings.UKIYO_API_MAX_AGE, settings.UKIYO_API_SHARED_MAX_AGE = 60, 300
    url = f"/api/{api}/pages/{article.pk}/"

    first = client.get(url)
    assert first.status_code == 200
    assert cache_control(first) == {"public", "max-age=60", "s-maxage=300"}
    assert "Authorization" in first["Vary"]
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    article.title = "月面着陸に成功"
    article.save_revision().publish()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_AUTHORIZATION": "Bearer not-a-real-token"}, {"QUERY_STRING": "version=draft"}],
)
def test_reads_with_a_token_or_for_drafts_are_never_stored(client, article, headers):
    response = client.get("/api/v3/pages/", **headers)

    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)
    assert "ETag" not in response


def test_errors_are_not_stored(client, db):
    response = client.get("/api/v2/pages/999999/")

    assert response.status_code == 404
    assert "no-store" in cache_control(response)


def test_listings_revalidate_too(client, article):
    first = client.get("/api/v2/pages/", {"type": "news.ArticlePage"})
    again = client.get(
        "/api/v2/pages/", {"type": "news.ArticlePage"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304


def test_reader_pages_are_left_alone(client, article):
    response = client.get(article.url)

    assert "s-maxage" not in response.get("Cache-Control", "")
