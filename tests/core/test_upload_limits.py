"""Upload and request body limits: a clear answer for what is too large, never a 500.

The admin's upload form names the limit; a public form sent with a body larger than the site
reads gets the site's 413 page in the reader's language, and nothing is saved; the API's own
answers are left to the API.
"""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.models import APIToken, Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from home.models import ContactMessage, ContactPage
from news.models import ArticlePage
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory

Document = get_document_model()
MB = 1024 * 1024
HEADING = "What you sent is too large"
EXPLANATION = "This site did not accept it, and nothing was saved."
FORM = {"name": "Hanako", "email": "hanako@example.com", "subject": "Hi", "message": "Hello."}


def visible_text(response):
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def in_language(language, text):
    with translation.override(language):
        return translation.gettext(text)


def assert_too_large_page(response, language):
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
    assert f'<html lang="{language}"' in response.content.decode()
    text = visible_text(response)
    for sentence in (HEADING, EXPLANATION):
        translated = in_language(language, sentence)
        assert language == "en" or translated != sentence, f"no {language} for {sentence!r}"
        assert translated in text, sentence
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.fixture
def small_forms(settings):
    """Forms that read at most 2 KB, so that a test need not send megabytes."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048


@pytest.fixture
def contact_pages(home, english_tree, locales):
    page = ContactPage(title="お問い合わせ", slug="contact", thank_you="ありがとう。")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page, translate_page(page, locales["en"], title="Contact")


# --- The admin -------------------------------------------------------------------------


def test_a_document_over_the_upload_limit_gets_a_clear_form_error(editor, db):
    """The default limit, 20 MB: a larger document is refused by the upload form."""
    too_big = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n" + b"0" * (20 * MB))

    response = editor.post(
        "/admin/documents/add/",
        {
            "title": "Annual report",
            "file": too_big,
            "collection": Collection.get_first_root_node().pk,
        },
    )

    assert response.status_code == 200
    assert "This file is too big" in response.content.decode()
    assert "Maximum filesize 20.0\xa0MB" in html.unescape(response.content.decode())
    assert not Document.objects.exists()


def test_a_document_under_the_limit_is_saved(editor, db):
    response = editor.post(
        "/admin/documents/add/",
        {
            "title": "Press kit",
            "file": SimpleUploadedFile("kit.pdf", b"%PDF-1.4\n"),
            "collection": Collection.get_first_root_node().pk,
        },
    )

    assert response.status_code == 302
    assert Document.objects.get().title == "Press kit"


def test_the_admin_upload_page_names_the_limits(editor, db):
    content = html.unescape(editor.get("/admin/documents/multiple/add/").content.decode())

    assert f'data-max-file-size="{20 * MB}"' in content
    assert "Maximum filesize: 20.0\xa0MB." in content


def test_a_request_far_over_every_limit_gets_the_413_page_in_the_admin(editor, settings):
    settings.UKIYO_MAX_REQUEST_BODY = 4096
    huge = SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * 8192)

    response = editor.post(
        "/admin/documents/add/",
        {"title": "Huge", "file": huge, "collection": Collection.get_first_root_node().pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert_too_large_page(response, "en")
    assert not Document.objects.exists()


def long_read_form(article, paragraphs):
    """The edit form of an article with many long paragraphs full of links and emphasis."""
    sentence = 'Words with <b>emphasis</b> and <a href="https://example.com/source">a source</a>. '
    text = rich_text(f"<p>{sentence * 20}</p>")
    sections = [
        (
            "section",
            {
                "heading": f"Part {n}",
                "content": streamfield(
                    [("paragraph", {"text": text, "sources": ""}) for _ in range(paragraphs // 20)]
                ),
            },
        )
        for n in range(20)
    ]
    return nested_form_data(
        {
            "title": article.title,
            "slug": article.slug,
            "summary": "A long read.",
            "display_date": "2025-06-20 09:30",
            "article_authors": inline_formset([]),
            "corrections": inline_formset([]),
            "tags": "",
            "body": streamfield(sections),
            "references": streamfield([]),
        }
    )


def test_an_editor_saves_a_long_article_with_many_blocks(editor, index):
    """Longer than Django's default form limit (2.5 MB): 300 paragraphs, each with links."""
    article = ArticlePageFactory(parent=index, title="A long read")
    form = long_read_form(article, paragraphs=300)
    size = sum(len(key) + len(str(value)) for key, value in form.items())
    assert size > 2.5 * MB

    response = editor.post(f"/admin/pages/{article.pk}/edit/", form)

    assert response.status_code == 302, response.content[:2000]
    saved = ArticlePage.objects.get(pk=article.pk).get_latest_revision_as_object()
    assert sum(len(section.value["content"]) for section in saved.body) == 300


# --- Public forms ------------------------------------------------------------------------


def test_a_contact_form_too_large_gets_the_413_page_in_english(client, contact_pages, small_forms):
    response = client.post("/en/contact/", {**FORM, "message": "x" * 4096})

    assert_too_large_page(response, "en")
    assert '<header class="site-header">' in response.content.decode()
    assert 'href="/en/contact/"' in response.content.decode()
    assert not ContactMessage.objects.exists()


def test_a_contact_form_too_large_gets_the_413_page_in_japanese(client, contact_pages, small_forms):
    response = client.post("/ja/contact/", {**FORM, "message": "x" * 4096})

    assert_too_large_page(response, "ja")
    assert not ContactMessage.objects.exists()


def test_a_file_sent_to_a_public_form_is_never_read(client, contact_pages, small_forms):
    """Django counts form fields, not files, against its limit: a public form that takes no
    file must refuse a large one before reading it."""
    attachment = SimpleUploadedFile("big.bin", b"0" * 8192)

    response = client.post("/en/contact/", {**FORM, "attachment": attachment})

    assert_too_large_page(response, "en")
    assert not ContactMessage.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/login/",
        "/en/accounts/signup/",
        "/en/cookie-settings/choice/",
        "/i18n/setlang/",
    ],
)
def test_every_public_form_answers_413(client, english_tree, small_forms, path):
    response = client.post(
        path, {"email": "a@example.com", "padding": "x" * 4096}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 413
    assert HEADING in visible_text(response)


def test_a_form_within_the_limit_is_still_read(client, contact_pages, small_forms):
    response = client.post("/en/contact/", FORM)

    assert response.status_code in (200, 302)
    assert ContactMessage.objects.count() == 1


def test_the_api_answers_its_own_too_large_bodies(client, small_forms, admin_user):
    """The API has its own error shapes: the site's HTML page is never its answer."""
    _, token = APIToken.create_token(user=admin_user, name="frontend")
    response = client.post(
        "/api/v3/pages/",
        "{" + " " * 8192 + "}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert HEADING not in response.content.decode()
    assert response.status_code != 500
