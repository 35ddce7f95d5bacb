import pytest

from tests.factories import AuthorFactory, add_author, full_article


@pytest.fixture
def translator(editor):
    """The translators' admin, as a superuser working in English (see tests/conftest.py)."""
    return editor


@pytest.fixture
def article(index, category, locales):
    """A live Japanese article with a category and an author, both snippets to translate."""
    page = full_article(index, title="月面基地の建設が始まる", category=category)
    add_author(page, AuthorFactory(name="山田 花子", slug="yamada", locale=locales["ja"]))
    return page
