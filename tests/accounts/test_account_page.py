"""The reader's account page: e-mail, password link, preferred language."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.models import ReaderProfile

from .conftest import PASSWORD, ui


def language_options(html):
    """The options of the language form: value, lang, name and whether selected."""
    return [
        {
            "value": re.search(r'value="([^"]*)"', attributes).group(1),
            "lang": re.search(r'lang="([^"]*)"', attributes).group(1),
            "selected": " selected" in attributes,
            "name": name,
        }
        for attributes, name in re.findall(r"<option ([^>]*)>([^<]+)</option>", html)
    ]


def test_account_page_needs_a_login(client, home):
    response = client.get("/en/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/accounts/"


def test_account_page_shows_email_links_language_and_delete(reader_client):
    response = reader_client.get("/en/accounts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html and 'class="site-header"' in html
    assert "reader@example.com" in html
    assert 'href="/en/accounts/email/"' in html
    assert 'href="/en/accounts/password/change/"' in html
    assert 'href="/en/accounts/delete/"' in html
    assert ui("Saved articles", "en") in html
    assert (
        ui("No saved articles yet. Use “Save article” on an article to keep it here.", "en") in html
    )
    # Every language, named in itself and marked with its code; the reader's is selected.
    options = language_options(html)
    assert [(option["value"], option["name"]) for option in options] == list(settings.LANGUAGES)
    assert all(option["lang"] == option["value"] for option in options)
    assert [option["value"] for option in options if option["selected"]] == ["ja"]


def test_account_page_is_translated(reader_client):
    html = reader_client.get("/ja/accounts/").content.decode()
    assert '<html lang="ja"' in html
    assert f"<h1>{ui('My account', 'ja')}</h1>" in html
    assert ui("My account", "ja") != "My account"


def test_changing_the_language_saves_it_sets_the_cookie_and_switches_the_page(
    reader_client, reader
):
    response = reader_client.post("/ja/accounts/", {"language": "fr"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/accounts/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert ReaderProfile.objects.get(user=reader).language == "fr"
    html = reader_client.get(response["Location"]).content.decode()
    assert ui("Your language is saved.", "fr") in html
    assert [option["value"] for option in language_options(html) if option["selected"]] == ["fr"]


def test_an_unknown_language_is_refused_with_a_message(reader_client, reader):
    response = reader_client.post("/en/accounts/", {"language": "xx"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert "errorlist" in response.content.decode()
    assert ReaderProfile.objects.get(user=reader).language == "ja"


def test_an_older_user_gets_a_profile_in_the_language_of_the_page(client, home):
    user = get_user_model().objects.create_user("old", "old@example.com", PASSWORD)
    client.force_login(user)
    assert client.get("/de/accounts/").status_code == 200
    assert ReaderProfile.objects.get(user=user).language == "de"
