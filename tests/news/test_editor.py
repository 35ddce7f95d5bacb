"""The article editor: every error of a save in one round, at the block it belongs to; drafts
that need their headings; autosave that never creates a page; collapsed blocks that read their
content; the demo admin's name."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from wagtail.blocks.base import get_error_json_data
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield
from wagtail.users.models import UserProfile

from demo.loader import create_admin
from news.blocks import CitationsBlock
from news.models import ArticlePage
from tests.factories import ArticlePageFactory, admin_add_url

JSON = {"HTTP_ACCEPT": "application/json"}  # what Wagtail's autosave sends


@pytest.fixture
def english():
    """Messages compared in English (the editor fixture's admin language too)."""
    with translation.override("en"):
        yield


def section(heading, *blocks):
    return ("section", {"heading": heading, "content": streamfield(list(blocks))})


def paragraph(text, sources=""):
    return ("paragraph", {"text": rich_text(f"<p>{text}</p>"), "sources": sources})


def quote(text, sources=""):
    return ("quote", {"text": text, "attribution": "", "sources": sources})


def a_list(*items):
    return (
        "list",
        {
            "style": "bulleted",
            "items": {
                "count": str(len(items)),
                **{
                    str(i): {
                        "value": {
                            "text": rich_text(f"<p>{text}</p>"),
                            "sources": sources,
                            "children": {"count": "0"},
                        },
                        "order": str(i),
                        "deleted": "",
                    }
                    for i, (text, sources) in enumerate(items)
                },
            },
        },
    )


def references(count):
    return streamfield(
        [
            (
                "reference",
                {
                    "title": f"Source {n}",
                    "publisher": "",
                    "url": f"https://source{n}.example.org/a",
                    "published": "",
                },
            )
            for n in range(1, count + 1)
        ]
    )


def article_data(sections, reference_count=2, publish=False, title="月面着陸", slug="landing"):
    data = {
        "title": title,
        "slug": slug,
        "subtitle": "",
        "summary": "着陸機が月面に降りた。",
        "display_date": "2025-06-20 09:30",
        "updated_date": "",
        "tags": "",
        "article_authors-TOTAL_FORMS": "0",
        "article_authors-INITIAL_FORMS": "0",
        "article_authors-MIN_NUM_FORMS": "0",
        "article_authors-MAX_NUM_FORMS": "1000",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
        "body": streamfield(sections),
        "references": references(reference_count),
    }
    if publish:
        data["action-publish"] = "publish"
    return nested_form_data(data)


def body_errors(response):
    """The body's block errors as the editor's JavaScript gets them."""
    [error] = response.context["form"].errors.as_data()["body"]
    with translation.override("en"):
        return json.loads(json.dumps(get_error_json_data(error), default=str))


def at(errors, *path):
    """The errors at ``path`` (stream indexes and child names) of a body's block errors."""
    for step in path:
        errors = errors["blockErrors"][str(step)]
    return errors


TWO_MISTAKES = [
    section("着陸", paragraph("着陸した。", "1")),
    section("", paragraph("試料を採取した。", "2"), a_list(("一つ目", ""), ("二つ目", "1, 5"))),
    section("帰還", quote("戻ってきた。", "4")),
]


@pytest.mark.parametrize("publish", [True, False], ids=["publish", "save-draft"])
def test_every_mistake_of_a_save_is_shown_at_its_block_in_one_round(
    editor, index, publish, english
):
    response = editor.post(
        admin_add_url(ArticlePage, index), article_data(TWO_MISTAKES, 2, publish=publish)
    )

    assert response.status_code == 200
    assert not ArticlePage.objects.exists()
    assert list(response.context["form"].errors) == ["body"]
    errors = body_errors(response)
    # The empty heading of the second section...
    assert at(errors, 1, "heading")["messages"] == ["This field is required."]
    # ...and, in the same answer, each citation of a missing source at the citing block.
    assert at(errors, 1, "content", 1, "items", 1, "sources")["messages"] == [
        "Source 5 is not in the reference list. It has 2 sources."
    ]
    assert at(errors, 2, "content", 0, "sources")["messages"] == [
        "Source 4 is not in the reference list. It has 2 sources."
    ]
    # Nothing else is reported: the first section and the good blocks are fine.
    assert sorted(errors["blockErrors"]) == ["1", "2"]
    assert sorted(at(errors, 1, "content")["blockErrors"]) == ["1"]
    html = response.content.decode()
    assert "Source 5 is not in the reference list" in html


@pytest.mark.parametrize(
    ("reference_count", "message"),
    [
        (1, "Sources 3, 7 are not in the reference list. It has 1 source."),
        (
            0,
            "Sources 3, 1, 7 are not in the reference list. "
            "The reference list is empty: add the sources under References.",
        ),
    ],
)
def test_several_missing_sources_are_named_together(
    editor, index, english, reference_count, message
):
    body = [section("着陸", paragraph("着陸した。", "3, 1, 7"))]

    response = editor.post(admin_add_url(ArticlePage, index), article_data(body, reference_count))

    assert at(body_errors(response), 0, "content", 0, "sources")["messages"] == [message]


def test_a_draft_needs_its_section_headings_but_may_be_unfinished_otherwise(editor, index, english):
    refused = editor.post(
        admin_add_url(ArticlePage, index),
        article_data([section("", paragraph("書きかけ"))], slug="refused"),
    )
    # A list without items is what a draft in progress looks like.
    saved = editor.post(
        admin_add_url(ArticlePage, index),
        article_data([section("見出し", paragraph("書きかけ"), a_list())], slug="saved"),
    )

    assert refused.status_code == 200
    assert at(body_errors(refused), 0, "heading")["messages"] == ["This field is required."]
    assert saved.status_code == 302
    draft = ArticlePage.objects.get(slug="saved")
    assert not draft.live
    assert draft.get_latest_revision_as_object().body[0].value["heading"] == "見出し"
    assert not ArticlePage.objects.filter(slug="refused").exists()


def test_publishing_still_needs_everything(editor, index, english):
    response = editor.post(
        admin_add_url(ArticlePage, index),
        article_data([section("見出し", paragraph("本文"), a_list())], publish=True),
    )

    assert response.status_code == 200
    assert at(body_errors(response), 0, "content", 1, "items")["messages"] == [
        "The minimum number of items is 1"
    ]


@pytest.mark.parametrize(
    ("typed", "numbers"),
    [
        ("２", [2]),
        ("１，３", [1, 3]),
        ("1、3", [1, 3]),
        ("１、２、２", [1, 2]),
        ("②", [2]),  # a compatibility form: NFKC reads it as 2
        ("२, ๓", [2, 3]),  # Devanagari and Thai digits
        (" +2 ", [2]),
        ("007", [7]),
    ],
)
def test_source_numbers_are_read_in_any_script(typed, numbers):
    assert CitationsBlock().clean(typed) == numbers


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Source numbers start at 1: 0 is not a source."),
        ("０", "Source numbers start at 1: 0 is not a source."),
        ("०", "Source numbers start at 1: 0 is not a source."),  # a Devanagari zero
        ("1, -2", "Source numbers start at 1: -2 is not a source."),
        ("－３", "Source numbers start at 1: -3 is not a source."),
        ("10000", "Source numbers go up to 9999: 10000 is not a source."),
        (str(2**63), "Source numbers go up to 9999: 922337203685… is not a source."),
        ("9" * 5000, "Source numbers go up to 9999: 999999999999… is not a source."),
        ("1\x00", "Enter source numbers from the reference list separated by commas, e.g. 1, 3."),
        ("1.5", "Enter source numbers from the reference list separated by commas, e.g. 1, 3."),
        ("1,", "Enter source numbers from the reference list separated by commas, e.g. 1, 3."),
    ],
    ids=[
        "zero",
        "full-width-zero",
        "devanagari-zero",
        "negative",
        "full-width-minus",
        "too-large",
        "2^63",
        "huge",
        "nul",
        "fraction",
        "trailing-comma",
    ],
)
def test_impossible_source_numbers_are_refused_clearly(english, typed, message):
    with pytest.raises(Exception) as error:
        CitationsBlock().clean(typed)

    assert error.value.messages == [message]


def test_full_width_source_numbers_typed_in_the_editor_are_stored_as_numbers(
    editor, index, english
):
    body = [section("着陸", paragraph("着陸した。", "２、１"))]

    response = editor.post(admin_add_url(ArticlePage, index), article_data(body, 2, publish=True))

    assert response.status_code == 302, response.context and response.context["form"].errors
    article = ArticlePage.objects.get(slug="landing")
    assert article.body.raw_data[0]["value"]["content"][0]["value"]["sources"] == [2, 1]


def test_odd_input_in_the_sources_field_is_a_form_error_not_a_500(editor, index, english):
    for typed in ["\x00", "9" * 10000, "1" + "," * 1000, "🙂"]:
        body = [section("着陸", paragraph("着陸した。", typed))]
        response = editor.post(admin_add_url(ArticlePage, index), article_data(body, 2))

        assert response.status_code == 200
        assert "sources" in at(body_errors(response), 0, "content", 0)["blockErrors"]
    assert not ArticlePage.objects.exists()


# -- autosave -----------------------------------------------------------------------------


def test_autosave_of_a_new_article_creates_no_page(editor, index):
    pages = Page.objects.count()

    response = editor.post(
        admin_add_url(ArticlePage, index),
        article_data([section("見出し", paragraph("書き始め"))]),
        **JSON,
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["success"] is False
    assert response.json()["error_code"] == "autosave_disabled"
    assert Page.objects.count() == pages
    # The same form saved on purpose creates the page, under the slug the editor chose.
    saved = editor.post(
        admin_add_url(ArticlePage, index), article_data([section("見出し", paragraph("書き始め"))])
    )
    assert saved.status_code == 302
    assert ArticlePage.objects.get().slug == "landing"


def test_the_editor_loads_the_script_that_turns_autosave_off_for_new_pages(editor, index):
    create = editor.get(admin_add_url(ArticlePage, index))
    article = ArticlePageFactory(parent=index)
    edit = editor.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))

    for response in (create, edit):
        assert response.status_code == 200
        assert "core/editor" in response.content.decode()
    # Editing keeps Wagtail's autosave.
    assert "w-autosave" in edit.content.decode()


def edit_url(article):
    return reverse("wagtailadmin_pages:edit", args=[article.pk])


def test_autosave_of_a_half_written_section_does_not_pause(editor, index, english):
    article = ArticlePageFactory(parent=index, slug="landing")
    # A section just added, its heading not typed yet, citing a reference not added yet.
    half_written = [
        section("着陸", paragraph("着陸した。", "1")),
        section("", paragraph("次の段落", "3")),
    ]
    revisions = article.revisions.count()

    autosaved = editor.post(edit_url(article), article_data(half_written, 2), **JSON)
    saved_on_purpose = editor.post(edit_url(article), article_data(half_written, 2))

    assert autosaved.status_code == 200, autosaved.content
    assert autosaved.json()["success"] is True
    assert article.revisions.count() == revisions + 1
    # "Save draft" then shows both mistakes.
    assert saved_on_purpose.status_code == 200
    errors = body_errors(saved_on_purpose)
    assert at(errors, 1, "heading")["messages"] == ["This field is required."]
    assert at(errors, 1, "content", 0, "sources")["messages"] == [
        "Source 3 is not in the reference list. It has 2 sources."
    ]
    assert article.revisions.count() == revisions + 1


def test_autosave_still_refuses_what_cannot_be_stored(editor, index, english):
    article = ArticlePageFactory(parent=index, slug="landing")

    response = editor.post(
        edit_url(article),
        article_data([section("着陸", paragraph("着陸した。", "one"))], 2),
        **JSON,
    )

    assert response.status_code == 400
    assert response.json()["error_code"] == "validation_error"


def test_the_preview_of_a_half_written_section_is_available(editor, index):
    article = ArticlePageFactory(parent=index, slug="landing")
    data = article_data([section("", paragraph("次の段落", "3"))], 2)

    response = editor.post(reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk]), data)

    assert response.status_code == 200
    assert response.json() == {"is_valid": True, "is_available": True}


def test_the_preview_may_be_shown_in_the_admins_frame(editor, index):
    """The preview panel frames the page (and the Checks panel reads its text there): the
    page's policy, made for readers, lets the admin frame it."""
    article = ArticlePageFactory(parent=index, slug="landing")
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk])
    editor.post(url, article_data([section("着陸", paragraph("着陸した。", "1"))], 2))

    response = editor.get(f"{url}?in_preview_panel=true")

    assert response.status_code == 200
    assert "着陸した。" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "frame-ancestors 'none'" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # A reader's page is still not to be framed by anyone.
    article.save_revision().publish()
    assert "frame-ancestors 'none'" in editor.get(article.url)["Content-Security-Policy"]


def test_a_block_outside_a_form_leaves_citations_to_the_page(english):
    # Without a form there is no reference list to check against: the page's clean() does it.
    assert CitationsBlock().clean("7") == [7]


# -- collapsed blocks -----------------------------------------------------------------------


def test_collapsed_blocks_read_their_content(editor, index):
    article = ArticlePageFactory(parent=index)

    html = editor.get(edit_url(article)).content.decode()

    # The editor's block definitions (telepath JSON in the page) carry each label format.
    for label_format in ["{heading}", "{title}", "{text}", "{items}"]:
        assert f"&quot;labelFormat&quot;: &quot;{label_format}&quot;" in html or (
            json.dumps({"labelFormat": label_format})[1:-1] in html
        ), label_format


# -- the checks panel -----------------------------------------------------------------------


def test_the_checks_panel_has_a_character_count(editor, index):
    article = ArticlePageFactory(parent=index)

    html = editor.get(edit_url(article)).content.decode()

    assert "data-ukiyo-character-count" in html
    assert "data-content-word-count" in html  # Wagtail's own metrics are still there


# -- the demo admin ---------------------------------------------------------------------------


def account_form(user, **changes):
    """The account settings form as Wagtail fills it in for ``user``."""
    data = {
        "name_email-first_name": user.first_name,
        "name_email-last_name": user.last_name,
        "name_email-email": user.email,
        "notifications-submitted_notifications": "true",
        "notifications-approved_notifications": "true",
        "notifications-rejected_notifications": "true",
        "notifications-updated_comments_notifications": "true",
        "locale-preferred_language": "en",
        "locale-current_time_zone": "",
        "theme-theme": "system",
        "theme-density": "default",
        "theme-contrast": "system",
        "keyboard-shortcuts": "true",
    }
    data.update(changes)
    return data


def test_the_demo_admin_switches_the_admin_to_japanese_on_the_first_try(client, home):
    assert create_admin("demo-admin", "a demo password")
    user = get_user_model().objects.get(username="demo-admin")
    client.force_login(user)

    response = client.post(
        reverse("wagtailadmin_account"), account_form(user, **{"locale-preferred_language": "ja"})
    )

    assert response.status_code == 302, response.context and response.context["panels_by_tab"]
    assert UserProfile.get_for_user(user).preferred_language == "ja"
    assert (user.first_name, user.last_name) == ("Demo", "Editor")


def test_an_older_demo_admin_without_a_name_gets_one(db):
    User = get_user_model()
    User.objects.create_superuser(username="demo-admin", email="d@ukiyo.example", password="x")

    assert create_admin("demo-admin", "x") is False

    user = User.objects.get(username="demo-admin")
    assert (user.first_name, user.last_name) == ("Demo", "Editor")
