"""Readers find the words of their language's articles, in all nine languages (PostgreSQL).

The corpus (``tests.search.corpus``) is searched through the reader's search page of each
language, as a reader would; ``test_languages_sqlite.py`` searches the same corpus on SQLite.
"""

import re
from html import unescape

import pytest
from django.core.cache import cache

from tests.conftest import translate_page
from tests.search import corpus
from tests.search.test_languages_sqlite import SUGGESTED

pytestmark = pytest.mark.django_db


def build_language(home, index, locales, language):
    """The corpus articles of ``language`` under its own article index."""
    if language == "ja":
        language_index = index
    else:
        translate_page(home, locales[language], title=f"Home {language}")
        language_index = translate_page(index, locales[language], title=f"Articles {language}")
    return corpus.build({language: language_index}, languages=[language])


def found_titles(client, language, query):
    response = client.get(f"/{language}/search/", {"q": query})
    assert response.status_code == 200, response.content[:500]
    html = response.content.decode()
    return {
        re.sub(r"<[^>]+>", "", unescape(title)).strip()
        for title in re.findall(r'class="search-result__title"><a [^>]*>(.*?)</a>', html)
    }


@pytest.mark.parametrize("language", list(corpus.QUERIES))
def test_a_reader_finds_the_stories_of_their_language(
    client, home, index, locales, settings, language
):
    settings.UKIYO_SEARCH_RATE_LIMIT = "off"
    cache.clear()
    build_language(home, index, locales, language)
    titles = {story: article[0] for story, article in corpus.ARTICLES[language].items()}
    found = {
        f"{query} ({kind})": found_titles(client, language, query)
        for query, kind, _stories in corpus.QUERIES[language]
    }
    expected = {
        f"{query} ({kind})": {titles[story] for story in stories}
        for query, kind, stories in corpus.QUERIES[language]
    }
    assert found == expected


@pytest.mark.parametrize(("language", "typed"), SUGGESTED)
def test_titles_are_suggested_in_every_script(client, home, index, locales, language, typed):
    build_language(home, index, locales, language)
    story = corpus.ARTICLES[language]["moon"][0]
    assert client.get(f"/{language}/search/suggest/", {"q": typed}).json()[1] == [story]
