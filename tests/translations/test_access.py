"""The translators' views show and change only the pages the user's page rights cover.

The newsroom below: a Japanese desk (the source language) and an English desk, each with rights
on its own article index only. Japanese drafts and embargoed articles are the Japanese desk's;
the English desk sees an article only through an English translation it may edit.
"""

import pytest
from django.urls import reverse

from tests.branches import branch_editor
from tests.factories import ArticlePageFactory, paragraph, section
from translations.operations import PageTranslator

DASHBOARD = reverse("translations:dashboard")

EMBARGOED = "禁輸中の特ダネ"
LIVE_DRAFT = "未発表の新しい見出し"
SHARED_DRAFT = "共有記事の書き直し中の見出し"
SHARED_ENGLISH = "Shared story, in English"


def article(index, title, slug, **fields):
    return ArticlePageFactory(
        parent=index,
        title=title,
        slug=slug,
        body=[section("見出し", [paragraph("段落。")])],
        references=[],
        **fields,
    )


@pytest.fixture
def newsroom(index, english_tree, locales, django_capture_on_commit_callbacks):
    """An embargoed article, a live one with a new draft title, one translated into English."""
    embargoed = article(index, EMBARGOED, "embargoed", live=False)
    embargoed.save_revision()
    live = article(index, "公開済みの記事", "live")
    live.title = LIVE_DRAFT
    live.save_revision()
    shared = article(index, "共有記事", "shared")
    with django_capture_on_commit_callbacks(execute=True):
        PageTranslator([locales["en"]]).translate_page(shared)
    english = shared.get_translation(locales["en"])
    english.title = SHARED_ENGLISH
    english.save_revision()
    shared.refresh_from_db()
    shared.title = SHARED_DRAFT
    shared.save_revision()
    return {"embargoed": embargoed, "live": live, "shared": shared, "english": english}


@pytest.fixture
def english_desk(client, english_tree):
    _en_home, en_index = english_tree
    return branch_editor(client, en_index, codenames=["submit_translation"])


@pytest.fixture
def japanese_desk(client, index):
    return branch_editor(client, index, name="japanese-desk", codenames=["submit_translation"])


def rows_of(response):
    return {row.title: row for row in response.context["rows"]}


def test_the_dashboard_shows_an_editor_only_articles_they_may_edit(english_desk, newsroom):
    response = english_desk.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    for secret in (EMBARGOED, LIVE_DRAFT, SHARED_DRAFT, "公開済みの記事", "共有記事"):
        assert secret not in html
    # The one article with an English translation they may edit, named by that translation.
    assert list(rows_of(response)) == [SHARED_ENGLISH]
    assert response.context["page_obj"].paginator.count == 1
    assert reverse("wagtailadmin_pages:edit", args=[newsroom["shared"].pk]) not in html
    (row,) = response.context["rows"]
    states = {cell.locale.language_code: cell.state for cell in row.cells}
    assert states["en"] == "in_progress"
    # Other languages' pages are not theirs: neither a state nor a link.
    assert {state for code, state in states.items() if code != "en"} == {"restricted"}
    assert 'data-state="missing"' not in html
    assert reverse("translations:translate_page", args=[newsroom["shared"].pk]) not in html
    # Their cell opens their translation's editor (syncing the article is not theirs to do).
    (english_cell,) = [cell for cell in row.cells if cell.locale.language_code == "en"]
    assert english_cell.url == reverse("wagtailadmin_pages:edit", args=[newsroom["english"].pk])
    assert english_desk.get(english_cell.url).status_code == 200


@pytest.mark.parametrize(
    "query", [{"state": "missing"}, {"state": "missing", "language": "fr"}, {"language": "fr"}]
)
def test_filters_and_totals_count_only_what_the_editor_may_see(english_desk, newsroom, query):
    response = english_desk.get(DASHBOARD, query)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["page_obj"].paginator.count == 0
    assert "No article matches these filters." in response.content.decode()


def test_the_source_desk_sees_its_articles_and_the_state_of_every_translation(
    japanese_desk, newsroom
):
    response = japanese_desk.get(DASHBOARD)
    shown = rows_of(response)
    assert set(shown) == {EMBARGOED, LIVE_DRAFT, SHARED_DRAFT}
    assert SHARED_ENGLISH not in response.content.decode()
    states = {cell.locale.language_code: cell.state for cell in shown[SHARED_DRAFT].cells}
    assert states["en"] == "in_progress"
    assert states["fr"] == "missing"


def test_a_superuser_sees_every_article(editor, newsroom):
    response = editor.get(DASHBOARD)
    html = response.content.decode()
    for title in (EMBARGOED, LIVE_DRAFT, SHARED_DRAFT):
        assert title in html
    assert response.context["page_obj"].paginator.count == 3


def test_translate_everywhere_refuses_a_page_of_another_branch(english_desk, newsroom, locales):
    for page in (newsroom["embargoed"], newsroom["live"]):
        url = reverse("translations:translate_page", args=[page.pk])
        for response in (
            english_desk.get(url),
            english_desk.post(url, {"locales": [locales["fr"].pk]}, follow=True),
        ):
            assert EMBARGOED not in response.content.decode()
            assert LIVE_DRAFT not in response.content.decode()
        assert english_desk.get(url).url == reverse("wagtailadmin_home")
    assert not newsroom["embargoed"].get_translations().exists()
    assert not newsroom["live"].get_translations().exists()


def test_translate_everywhere_leaves_translations_the_user_may_not_edit_alone(
    japanese_desk, newsroom, locales, django_capture_on_commit_callbacks
):
    shared, english = newsroom["shared"], newsroom["english"]
    revisions = english.revisions.count()
    url = reverse("translations:translate_page", args=[shared.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = japanese_desk.post(
            url, {"locales": [locales["en"].pk, locales["fr"].pk]}, follow=True
        )
    assert response.status_code == 200
    english.refresh_from_db()
    assert english.revisions.count() == revisions
    assert english.draft_title == SHARED_ENGLISH
    assert shared.get_translation(locales["fr"]).live is False  # a new draft, as before
    messages = [str(message) for message in response.context["messages"]]
    assert any("you cannot edit" in message for message in messages), messages


def test_a_superuser_updates_every_translation(
    editor, newsroom, locales, django_capture_on_commit_callbacks
):
    shared, english = newsroom["shared"], newsroom["english"]
    revisions = english.revisions.count()
    url = reverse("translations:translate_page", args=[shared.pk])
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(url, {"locales": [locales["en"].pk]})
    assert english.revisions.count() == revisions + 1


def test_an_admin_user_without_page_rights_sees_an_empty_dashboard(client, newsroom):
    desk = branch_editor(client, newsroom["shared"], name="no-pages", actions=())
    response = desk.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert EMBARGOED not in response.content.decode()
    assert desk.get(DASHBOARD, {"state": "live"}).context["rows"] == []
