"""A form that fails the CSRF check gets a friendly 403 page, not Django's technical one."""

import html
import re

import pytest
from django.test import Client
from django.utils import translation
from wagtail.models import Site

from home.models import ContactMessage, ContactPage
from tests.conftest import translate_page

HEADING = "The form could not be sent"
EXPLANATION = (
    "This form has expired, or it was sent from another website. To keep your account and your "
    "messages safe, we did not accept it."
)
ADVICE = (
    "Please go back to the form, reload the page and send the form again. If you wrote a long "
    "text, copy it before reloading, so that you can paste it back."
)
FORM = {"name": "Hanako", "email": "hanako@example.com", "subject": "Hi", "message": "Hello."}


@pytest.fixture
def strict_client():
    """A browser that sends no CSRF token: a stale form, or a post from another site."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def contact_pages(home, english_tree, locales):
    page = ContactPage(title="お問い合わせ", slug="contact")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page, translate_page(page, locales["en"], title="Contact")


def visible_text(response):
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def in_language(language, text):
    with translation.override(language):
        return translation.gettext(text)


def assert_friendly_403(response, language):
    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]
    content = response.content.decode()
    assert f'<html lang="{language}"' in content
    text = visible_text(response)
    for sentence in (HEADING, EXPLANATION, ADVICE):
        translated = in_language(language, sentence)
        assert language == "en" or translated != sentence, f"no {language} for {sentence!r}"
        assert translated in text, sentence
    # Plain words only: none of Django's explanation for developers.
    for jargon in ("CSRF", "csrf", "token", "Referer", "Forbidden"):
        assert jargon not in text, jargon
    assert "private" in response["Cache-Control"]


def test_a_stale_contact_form_gets_the_friendly_page_in_english(strict_client, contact_pages):
    response = strict_client.post("/en/contact/", FORM)

    assert_friendly_403(response, "en")
    # The site's layout, with a way back to the form.
    assert '<header class="site-header">' in response.content.decode()
    assert 'href="/en/contact/"' in response.content.decode()
    assert ContactMessage.objects.count() == 0


def test_a_stale_contact_form_gets_the_friendly_page_in_japanese(strict_client, contact_pages):
    response = strict_client.post("/ja/contact/", FORM)

    assert_friendly_403(response, "ja")
    assert ContactMessage.objects.count() == 0


def test_a_stale_login_form_gets_the_friendly_page(strict_client, home):
    response = strict_client.post(
        "/en/accounts/login/", {"login": "reader@example.com", "password": "secret"}
    )

    assert_friendly_403(response, "en")
    assert 'href="/en/accounts/login/"' in response.content.decode()


def test_the_admin_login_gets_the_page_too(strict_client, home):
    response = strict_client.post(
        "/admin/login/", {"username": "admin", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert_friendly_403(response, "en")
    assert 'href="/admin/login/"' in response.content.decode()


def test_the_page_renders_without_any_site(strict_client, home):
    """No site matches (the admin on an unknown host, a fresh install): still a 403 page."""
    Site.objects.all().delete()

    response = strict_client.post(
        "/admin/login/", {"username": "admin", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    assert HEADING in visible_text(response)


def test_a_form_with_its_token_is_accepted(contact_pages):
    """The check itself stays on: a form sent with its token goes through."""
    client = Client(enforce_csrf_checks=True)
    form_page = client.get("/en/contact/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.content.decode())

    response = client.post("/en/contact/", {**FORM, "csrfmiddlewaretoken": token.group(1)})

    assert response.status_code == 302
    assert ContactMessage.objects.count() == 1
