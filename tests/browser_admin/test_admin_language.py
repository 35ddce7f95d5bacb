"""The admin-language sweep: an editor working in Japanese or Thai meets no English.

The test walks the admin's main screens in Chromium (``language_sweep.walk``: dashboard, page
explorer, the article editor with its side panels, blocks and scheduling dialog, history, page
type chooser, article creation, snippets, images, documents, the Translations dashboard,
wagtail-localize's translation editor and sync view, the account) and fails listing, per
screen, each text in which English words remain, with the catalog it comes from. The rules
(what counts as English, what stays English, what is the editors' own content) are in
``language_sweep``.

Run it with ``-s`` to read the whole list even when the test passes; on any running site,
``scripts/admin_language_sweep.py`` lists the same.
"""

import json

import pytest

from . import language_sweep

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

DEMO_TEXTS = json.loads((language_sweep.ROOT / "demo" / "site.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def content():
    # The people of conftest.PEOPLE are content too: their names and addresses.
    from .conftest import PEOPLE

    people = [f"{p.username} {p.email}" for p in PEOPLE.values()] + ["Aoi Sato", "Sato Aoi"]
    return language_sweep.Content(extra=people)


@pytest.mark.parametrize("language", ["ja", "th"])
def test_the_admin_speaks_the_editors_language(admin, language, content):
    page = admin(language)
    assert page.locator("html").get_attribute("lang") == language
    found, screens = {}, []
    ja = DEMO_TEXTS["languages"]["ja"]
    for screen, texts in language_sweep.walk(
        page, home_title=ja["home"]["title"], index_title=ja["index"]["title"]
    ):
        screens.append(screen)
        assert texts, f"{screen}: nothing collected"
        english = language_sweep.english(texts, content)
        if english:
            found[screen] = english
    summary = language_sweep.report(found, language_sweep.Catalogs(language), content)
    # The whole list, for catalog work (pytest -s).
    print(f"\n== English in the admin in {language} ({len(screens)} screens) ==\n{summary}")  # noqa: T201
    assert not found, f"English in the admin in {language}:\n{summary}"
    # Every screen of the walk was reached (a walk cut short would hide English).
    assert len(screens) >= 20, screens
