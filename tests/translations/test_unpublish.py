"""Unpublishing an article with its translations, from Wagtail's unpublish confirmation."""

from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, PageLogEntry

from tests.branches import PAGE_ACTIONS, branch_editor
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db

THAI_TITLE = "ลงจอดบนดวงจันทร์"


@pytest.fixture
def story(index, locales):
    """A live Japanese article, live in English, Spanish and Thai; a draft in French."""
    source = ArticlePageFactory(parent=index, title="月面着陸", slug="moon")
    source.save_revision().publish()
    pages = {"ja": source}
    for code, title in [("en", "Moon landing"), ("es", "Alunizaje"), ("th", THAI_TITLE)]:
        pages[code] = translate_page(source, locales[code], title=title)
    french = source.copy_for_translation(locales["fr"], copy_parents=True)
    french.title = "Alunissage"
    french.live = False
    french.save_revision()
    pages["fr"] = french
    return pages


def url(page):
    return reverse("wagtailadmin_pages:unpublish", args=[page.pk])


def live(pages):
    return {code for code, page in pages.items() if type(page).objects.get(pk=page.pk).live}


def test_the_confirmation_lists_the_live_translations(editor, story):
    response = editor.get(url(story["ja"]))

    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert 'name="unpublish_translations"' in html
    assert "Also unpublish its 3 translations" in html
    for title in ["Moon landing", "Alunizaje", THAI_TITLE]:
        assert title in html
    assert "Alunissage" not in html  # a draft: nothing to unpublish


def test_checked_the_translations_are_unpublished_and_logged(editor, story):
    response = editor.post(url(story["ja"]), {"unpublish_translations": "1"}, follow=True)

    assert response.status_code == 200
    assert live(story) == set()
    for code in ["ja", "en", "es", "th"]:
        assert PageLogEntry.objects.filter(page=story[code], action="wagtail.unpublish").exists()
    text = unescape(" ".join(str(m) for m in response.context["messages"]))
    assert "Its 3 translations were unpublished too" in text


def test_unchecked_only_the_page_is_unpublished(editor, story):
    response = editor.post(url(story["ja"]), {})

    assert response.status_code == 302
    assert live(story) == {"en", "es", "th"}
    assert not PageLogEntry.objects.filter(page=story["en"], action="wagtail.unpublish").exists()


@pytest.fixture
def desk(client, index, story):
    """An editor of the Japanese, English and Spanish articles, not of the Thai one."""
    desk = branch_editor(client, index, name="desk")
    group = Group.objects.get(name="Group desk")
    for code in ["en", "es"]:
        for action in PAGE_ACTIONS:
            GroupPagePermission.objects.create(
                group=group,
                page=story[code].get_parent(),
                permission=Permission.objects.get(codename=f"{action}_page"),
            )
    return desk


def test_a_translation_the_editor_may_not_unpublish_is_neither_named_nor_touched(desk, story):
    page = desk.get(url(story["ja"]))

    html = unescape(page.content.decode())
    assert "Moon landing" in html and "Alunizaje" in html
    assert THAI_TITLE not in html
    assert "One more translation is live; you may not unpublish it" in html

    desk.post(url(story["ja"]), {"unpublish_translations": "1"})

    assert live(story) == {"th"}


def test_an_editor_without_rights_on_the_source_cannot_unpublish_anything(client, story):
    english = branch_editor(client, story["en"].get_parent(), name="english")

    assert english.get(url(story["ja"])).status_code in (302, 403)
    english.post(url(story["ja"]), {"unpublish_translations": "1"})

    assert live(story) == {"ja", "en", "es", "th"}
