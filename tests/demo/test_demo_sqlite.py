"""The embedded default: migrate and load_demo on SQLite, then read the site.

Runs ``manage.py`` in subprocesses against a fresh SQLite file, exactly as ``make demo``
does, so it also proves that the demo needs no PostgreSQL and that loading twice is safe.
"""

import html
import json

import pytest

from tests.sqlite import manage, sqlite_env

READ_SITE = """
import json
from django.test import Client
from news.models import ArticlePage

client = Client(HTTP_HOST="localhost")
article = ArticlePage.objects.live().filter(locale__language_code="ja").first()
english = article.get_translation(article.get_translations().get(locale__language_code="en").locale)
result = {}
for url in ["/", "/ja/", "/en/", "/ja/articles/", "/en/articles/", article.url, english.url,
            "/api/v2/pages/?type=news.ArticlePage&locale=ja&fields=title"]:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    result[url] = [response.status_code, response.content.decode()]
result["article_title"] = article.title
result["english_title"] = english.title
result["counts"] = {
    code: ArticlePage.objects.live().filter(locale__language_code=code).count()
    for code in ["ja", "en", "zh-hans", "es", "fr", "ko", "de", "th", "hi"]
}
import re
from django.contrib.auth import get_user_model
editor = get_user_model().objects.create_superuser("smoke", "smoke@ukiyo.example", "pw")
client.force_login(editor)
dashboard = client.get("/admin/translations/").content.decode()
result["states"] = sorted(set(re.findall(r'data-state="([a-z_]+)"', dashboard)))
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    env = sqlite_env(folder, "cms.settings.dev", MEDIA_ROOT=str(folder / "media"))
    for args in (["migrate", "--noinput"], ["load_demo"], ["load_demo"]):
        result = manage(*args, env=env)
        assert result.returncode == 0, result.stderr[-3000:]
    second_load = result.stdout
    result = manage("shell", "-c", READ_SITE, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), second_load


def test_demo_loads_twice_without_duplicates(demo):
    site, second_load = demo
    assert "(0 new)" in second_load
    assert site["counts"] == {
        "ja": 8,
        "en": 8,
        "zh-hans": 2,
        "es": 2,
        "fr": 2,
        "ko": 2,
        "de": 2,
        "th": 2,
        "hi": 2,
    }


def test_demo_dashboard_shows_every_translation_state(demo):
    site, _ = demo
    assert site["states"] == ["draft", "in_progress", "live", "missing", "outdated"]


def test_demo_site_renders_home_list_and_article(demo):
    site, _ = demo
    pages = {url: value for url, value in site.items() if url.startswith("/")}
    for url, (status, _body) in pages.items():
        expected = 302 if url == "/" else 200
        assert status == expected, url
    article_url = next(
        url for url in pages if url.startswith("/ja/articles/") and url != "/ja/articles/"
    )
    assert site["article_title"] in html.unescape(pages[article_url][1])
    english_url = next(
        url for url in pages if url.startswith("/en/articles/") and url != "/en/articles/"
    )
    assert site["english_title"] in html.unescape(pages[english_url][1])
    listing = json.loads(pages["/api/v2/pages/?type=news.ArticlePage&locale=ja&fields=title"][1])
    assert listing["meta"]["total_count"] == 8
