"""Registering, verifying, logging in and out, and every e-mail in its reader's language."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from wagtail.models import Site

from accounts.models import ReaderProfile

from .conftest import PASSWORD, link_in, make_reader, subject, ui

User = get_user_model()


def signup(client, language, email, password=PASSWORD, password2=None):
    return client.post(
        f"/{language}/accounts/signup/",
        {"email": email, "password1": password, "password2": password2 or password},
    )


def login(client, language, email, password=PASSWORD, **extra):
    return client.post(
        f"/{language}/accounts/login/", {"login": email, "password": password}, **extra
    )


def is_logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "path",
    [
        "signup/",
        "login/",
        "password/reset/",
        "password/reset/done/",
        "confirm-email/",
        "password/reset/key/1-set-password/",
    ],
)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_allauth_pages_for_visitors_are_in_the_site_layout(client, home, path, language):
    response = client.get(f"/{language}/accounts/{path}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert 'class="template-account"' in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("path", ["email/", "password/change/", "logout/"])
def test_allauth_pages_for_readers_are_in_the_site_layout(reader_client, path):
    response = reader_client.get(f"/en/accounts/{path}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html and 'class="template-account"' in html
    # Buttons carry the site's classes (allauth's elements are overridden).
    assert 'class="button' in html
    if path == "email/":
        # allauth's script (confirm before removing an address) is kept.
        assert "data-allauth-onload" in html


def test_reader_registers_verifies_logs_in_and_out(client, english_tree, mailoutbox):
    response = signup(client, "en", "new.reader@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    user = User.objects.get(email="new.reader@example.com")
    assert user.reader_profile.language == "en"
    assert not is_logged_in(client)

    page = client.get(response["Location"]).content.decode()
    assert ui("Verify Your Email Address", "en") in page

    (mail,) = mailoutbox
    assert mail.to == ["new.reader@example.com"]
    assert mail.subject == subject("Please Confirm Your Email Address", "en")
    site_name = Site.objects.get(is_default_site=True).site_name
    assert f"Hello from {site_name}!" in mail.body

    # Not verified yet: logging in sends the reader back to the verification page.
    response = login(client, "en", "new.reader@example.com")
    assert not is_logged_in(client)

    confirm = link_in(mail, "/confirm-email/")
    assert confirm.startswith("/en/accounts/confirm-email/")
    assert client.get(confirm).status_code == 200
    response = client.post(confirm)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.reader@example.com").verified

    response = login(client, "en", "new.reader@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert is_logged_in(client)
    assert ui("My account", "en") in client.get("/en/").content.decode()

    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert not is_logged_in(client)


def test_a_japanese_signup_gets_a_japanese_verification_mail(client, home, mailoutbox):
    signup(client, "ja", "yomite@example.com")
    (mail,) = mailoutbox
    assert mail.subject == subject("Please Confirm Your Email Address", "ja")
    assert ui("Please Confirm Your Email Address", "ja") != "Please Confirm Your Email Address"
    assert link_in(mail, "/confirm-email/").startswith("/ja/accounts/confirm-email/")
    assert ReaderProfile.objects.get(user__email="yomite@example.com").language == "ja"


def test_password_reset_mail_is_in_the_readers_language_wherever_it_was_asked(
    client, english_tree, mailoutbox
):
    make_reader("lectrice@example.com", language="fr")
    response = client.post("/en/accounts/password/reset/", {"email": "lectrice@example.com"})
    assert response.status_code == 302

    (mail,) = mailoutbox
    assert ui("Password Reset Email", "fr") != "Password Reset Email"
    assert mail.subject == subject("Password Reset Email", "fr")
    reset = link_in(mail, "/password/reset/key/")
    assert reset.startswith("/fr/accounts/password/reset/key/")

    # The link works: it leads to the form for a new password (allauth moves the key out of
    # the URL first), and the new password logs in.
    response = client.get(reset, follow=True)
    form_url = response.redirect_chain[-1][0]
    assert response.status_code == 200
    response = client.post(
        form_url, {"password1": "another-good-password-9", "password2": "another-good-password-9"}
    )
    assert response.status_code == 302
    assert login(client, "fr", "lectrice@example.com", "another-good-password-9").status_code == 302
    assert is_logged_in(client)


def test_adding_an_email_address_sends_the_confirmation_in_the_readers_language(
    client, english_tree, mailoutbox
):
    reader = make_reader("leser@example.com", language="de")
    client.force_login(reader)
    response = client.post(
        "/en/accounts/email/", {"action_add": "", "email": "neue.adresse@example.com"}
    )
    assert response.status_code == 302

    (mail,) = mailoutbox
    assert mail.to == ["neue.adresse@example.com"]
    assert mail.subject == subject("Please Confirm Your Email Address", "de")
    confirm = link_in(mail, "/confirm-email/")
    assert confirm.startswith("/de/accounts/confirm-email/")
    client.post(confirm)
    assert EmailAddress.objects.get(email="neue.adresse@example.com", user=reader).verified


def test_change_password(reader_client, reader):
    response = reader_client.post(
        "/en/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "brand-new-secret-42",
            "password2": "brand-new-secret-42",
        },
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("brand-new-secret-42")
    # Still logged in (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is off).
    assert reader_client.get("/en/accounts/").status_code == 200


def test_signing_up_again_with_a_known_address_tells_nothing_and_mails_the_owner(
    client, english_tree, mailoutbox
):
    owner = make_reader("owner@example.com", language="ja")
    fresh = signup(client, "en", "someone.new@example.com")
    known = signup(client, "en", "owner@example.com", password="another-good-password-1")

    # The visitor sees exactly what a new address gets: no account enumeration.
    assert known.status_code == fresh.status_code == 302
    assert known["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)

    warning = mailoutbox[-1]
    assert warning.to == ["owner@example.com"]
    # In the owner's language, not in the language of the page the stranger used.
    assert warning.subject == subject("Account Already Exists", "ja")


def test_login_without_next_goes_home_in_the_preferred_language(client, english_tree):
    make_reader("pref@example.com", language="ja")
    response = login(client, "en", "pref@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/ja/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    # / now opens in Japanese, the way the language menu's cookie does.
    assert client.get("/")["Location"] == "/ja/"


def test_login_with_next_goes_there_and_still_sets_the_language(client, english_tree):
    make_reader("pref@example.com", language="ja")
    response = client.post(
        "/en/accounts/login/?next=/en/articles/",
        {"login": "pref@example.com", "password": PASSWORD},
    )
    assert response["Location"] == "/en/articles/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"


def test_login_never_redirects_to_another_host(client, english_tree):
    make_reader("pref@example.com", language="en")
    response = client.post(
        "/en/accounts/login/?next=https://evil.example.net/",
        {"login": "pref@example.com", "password": PASSWORD},
    )
    assert response["Location"] == "/en/"


def test_an_older_user_without_profile_gets_one_on_login(client, english_tree):
    user = User.objects.create_user("old", "old@example.com", PASSWORD)
    EmailAddress.objects.create(user=user, email="old@example.com", verified=True, primary=True)
    response = login(client, "en", "old@example.com")
    assert response["Location"] == "/en/"
    assert ReaderProfile.objects.get(user=user).language == "en"


def test_header_links_to_the_account_page_and_logout_when_logged_in(reader_client):
    html = reader_client.get("/en/").content.decode()
    header = re.search(r"<header\b.*?</header>", html, re.S).group(0)
    assert 'href="/en/accounts/"' in header
    assert 'action="/en/accounts/logout/"' in header
    assert "/accounts/email/" not in header
    assert "/accounts/signup/" not in header
