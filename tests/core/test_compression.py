"""Answers are compressed when they hold no secret (BREACH), and only then."""

import gzip
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.templatetags.static import static

from tests.factories import ArticlePageFactory

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def articles(english_tree, index):
    _en_home, en_index = english_tree
    return {
        "ja": ArticlePageFactory(parent=index, title="月の砂", slug="moon-dust"),
        "en": ArticlePageFactory(parent=en_index, title="Moon dust", slug="moon-dust"),
    }


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_public_article_is_compressed(client, articles, language):
    article = articles[language]

    response = client.get(article.url, **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert f'<html lang="{language}"' in html
    assert article.title in html


def test_a_client_that_does_not_ask_gets_it_plain(client, articles):
    response = client.get(articles["en"].url)

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Moon dust" in response.content.decode()


@pytest.mark.parametrize("path", ["/en/accounts/login/", "/ja/accounts/login/"])
def test_a_page_with_a_form_token_is_not_compressed(client, home, path):
    response = client.get(path, **GZIP)

    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert not response.has_header("Content-Encoding")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_logged_in_readers_page_is_not_compressed(client, articles, language):
    reader = get_user_model().objects.create_user("reader", "reader@example.com", "pw")
    client.force_login(reader)

    response = client.get(articles[language].url, **GZIP)

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert not response.has_header("Content-Encoding")


def test_the_apis_json_is_compressed(client, articles):
    response = client.get("/api/v2/pages/?type=news.ArticlePage&fields=*", **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    titles = {item["title"] for item in json.loads(gzip.decompress(response.content))["items"]}
    assert titles == {articles["ja"].title, articles["en"].title}


@pytest.fixture
def collected(settings, tmp_path):
    """ukiyo's own static files collected as in production (manifest, compressed copies)."""
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return tmp_path


def test_a_hashed_static_file_is_cached_for_a_year_and_compressed(client, collected):
    url = static("css/ukiyo.css")
    assert url != "/static/css/ukiyo.css"  # the name carries the content's hash

    response = client.get(url, **GZIP)

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    css = gzip.decompress(b"".join(response.streaming_content)).decode()
    assert css == (collected / "css" / "ukiyo.css").read_text()


def test_a_static_file_without_its_hash_is_cached_briefly(client, collected):
    response = client.get("/static/css/ukiyo.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"
    assert not response.has_header("Content-Encoding")
