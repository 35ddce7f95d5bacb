"""The same searches find the same stories on SQLite, the demo's database.

The corpus of ``test_languages.py`` is built on a fresh SQLite file in a subprocess (the
suite's own database is PostgreSQL) and every query of every language is searched through
the reader's search page there; the stories found must be those PostgreSQL finds.
"""

import json

import pytest

from tests import sqlite
from tests.search import corpus

# Runs inside ``manage.py shell``: builds the corpus in every language and searches it.
RUN = """
import json, re
from html import unescape
from django.conf import settings
from django.test import Client
from wagtail.models import Locale, Site
from home.models import HomePage
from tests.conftest import translate_page
from tests.factories import ArticleIndexPageFactory
from tests.search import corpus
from tests.search.test_languages_sqlite import CARDS, SUGGESTED

Site.objects.filter(is_default_site=True).update(hostname="testserver", port=80)
locales = {
    code: Locale.objects.get_or_create(language_code=code)[0] for code, _ in settings.LANGUAGES
}
home = HomePage.objects.get(depth=2, locale=locales["ja"])
index = ArticleIndexPageFactory(parent=home)
indexes = {"ja": index}
for code in corpus.ARTICLES:
    if code != "ja":
        translate_page(home, locales[code], title="Home " + code)
        indexes[code] = translate_page(index, locales[code], title="Articles " + code)
corpus.build(indexes)
reader = Client()
found = {}
for language, queries in corpus.QUERIES.items():
    for query, kind, stories in queries:
        response = reader.get("/%s/search/" % language, {"q": query})
        html = response.content.decode()
        titles = re.findall(r'class="search-result__title"><a [^>]*>(.*?)</a>', html)
        found[language + " " + query] = [response.status_code, sorted(
            re.sub(r"<[^>]+>", "", unescape(title)).strip() for title in titles)]
for language, typed in SUGGESTED:
    found["suggest " + language + " " + typed] = reader.get(
        "/%s/search/suggest/" % language, {"q": typed}).json()[1]
    found["autocomplete " + language + " " + typed] = [item["title"] for item in reader.get(
        "/api/v3/articles/autocomplete/", {"q": typed, "locale": language}).json()]
for language, query in CARDS:
    found["cards " + language + " " + query] = [item["title"] for item in reader.get(
        "/api/v3/articles/", {"q": query, "locale": language}).json()["items"]]
# The words as SQLite's full-text table holds them: whole, vowel signs and all.
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute(
        "CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, core_searchdocument_fts, row)"
    )
    cursor.execute("SELECT term FROM temp.terms")
    found["terms"] = [row[0] for row in cursor.fetchall()]
print("FOUND " + json.dumps(found))
"""


# Titles suggested as a reader types: (language, typed so far).
SUGGESTED = [("ja", "月面探"), ("en", "lander tou"), ("th", "ยานสำรวจลง"), ("ko", "탐사")]
# Cards searched with q=: (language, query).
CARDS = [("zh-hans", "降落"), ("de", "Forscher"), ("hi", "नुकसान")]


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-languages")
    env = sqlite.sqlite_env(
        folder,
        "cms.settings.test",
        MEDIA_ROOT=str(folder / "media"),
        SEARCH_RATE_LIMIT="off",
    )
    result = sqlite.manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    result = sqlite.manage("shell", "-c", RUN, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("FOUND "))
    return json.loads(line.removeprefix("FOUND "))


@pytest.mark.parametrize("language", list(corpus.QUERIES))
def test_sqlite_finds_what_postgresql_finds(found, language):
    titles = {story: article[0] for story, article in corpus.ARTICLES[language].items()}
    assert {
        query: found[f"{language} {query}"] for query, _kind, _stories in corpus.QUERIES[language]
    } == {
        query: [200, sorted(titles[story] for story in stories)]
        for query, _kind, stories in corpus.QUERIES[language]
    }


def test_sqlite_suggests_titles_and_searches_cards_as_postgresql_does(found):
    for language, typed in SUGGESTED:
        story = corpus.ARTICLES[language]["moon"][0]
        assert found[f"suggest {language} {typed}"] == [story], (language, typed)
        assert found[f"autocomplete {language} {typed}"] == [story], (language, typed)
    for language, query in CARDS:
        expected = [
            corpus.ARTICLES[language][story][0]
            for _query, _kind, stories in corpus.QUERIES[language]
            if _query == query
            for story in sorted(stories)
        ]
        assert found[f"cards {language} {query}"] == expected, (language, query)


def test_sqlite_keeps_words_with_vowel_signs_whole(found):
    """Hindi and Thai words are stored whole, not cut at their vowel signs into letters
    that would match pages without the word."""
    terms = set(found["terms"])  # आँकड़ों is kept without its nukta, as it is searched
    assert {"वैज्ञानिक", "चंद्रमा", "आँकडों", "จันทร์", "วิจัย", "탐사선이"} <= terms
    assert not {"र", "क", "ट", "จ", "ท"} & terms
