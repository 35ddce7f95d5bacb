"""Failed-login limits: the attacker's address is locked, the account's owner is not.

The rule (docs/readers.md, "Failed logins"): five failures for one account from one address
(or one known device) lock that address out of that account for five minutes; ten failures
from one address lock it out of every account for a minute; fifty failures for one account
from unknown devices in an hour lock new devices out of it for the rest of the hour, while
the owner's known devices and a password reset link still work. A lockout answers 429 with
Retry-After, in the reader's language.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from .conftest import PASSWORD, link_in, make_reader, ui

TOO_MANY = "Too many failed login attempts. Try again later."
HINT = (
    "If this is your account, you can still sign in now: "
    '<a href="%(reset_url)s">set a new password</a> with a link sent to your e-mail, '
    "or sign in from a browser you have used before."
)
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def login(client, email, password, address, language="en"):
    return client.post(
        f"/{language}/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def admin_login(client, username, password, address):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def retry_after(response):
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 0 < seconds <= 60 * 60
    return seconds


def test_five_failures_lock_the_attacking_address_with_a_429_not_the_owner(home):
    make_reader("target@example.com")
    for _ in range(5):
        response = login(Client(), "target@example.com", "wrong-guess", ATTACKER)
        assert response.status_code == 200

    # The attacker's address is locked out of this account, even with the right password.
    response = login(Client(), "target@example.com", PASSWORD, ATTACKER)
    assert not logged_in(response)
    assert 240 < retry_after(response) <= 300
    html = response.content.decode()
    assert ui(TOO_MANY, "en") in html
    assert "/en/accounts/password/reset/" in html  # the way out for an owner who forgot
    assert "private" in response["Cache-Control"]

    # The owner, from their own address, logs in as usual.
    assert logged_in(login(Client(), "target@example.com", PASSWORD, OWNER))


def test_the_lockout_page_is_in_the_readers_language(home):
    make_reader("target@example.com")
    for _ in range(5):
        login(Client(), "target@example.com", "wrong-guess", ATTACKER, language="ja")
    response = login(Client(), "target@example.com", PASSWORD, ATTACKER, language="ja")
    retry_after(response)
    html = response.content.decode()
    assert '<html lang="ja"' in html
    assert ui(TOO_MANY, "ja") != TOO_MANY
    assert ui(TOO_MANY, "ja") in html
    hint = ui(HINT, "ja") % {"reset_url": "/ja/accounts/password/reset/"}
    assert hint != HINT and hint in html


def test_many_addresses_lock_new_devices_out_but_not_the_owners_known_device(home):
    make_reader("target@example.com")
    owner = Client()
    assert logged_in(login(owner, "target@example.com", PASSWORD, OWNER))
    owner.post("/en/accounts/logout/")

    # A botnet: fifty addresses, one failure each (each address stays under its own limit).
    for n in range(50):
        login(Client(), "target@example.com", "wrong", f"10.1.{n // 250}.{n % 250 + 1}")

    # A new device is refused, wherever it comes from...
    response = login(Client(), "target@example.com", PASSWORD, "192.0.2.200")
    assert not logged_in(response)
    assert retry_after(response) > 300
    # ...the browser the owner logged in with before is not, even from the attacker's network.
    assert logged_in(login(owner, "target@example.com", PASSWORD, "10.1.0.1"))


def test_a_password_reset_link_opens_a_locked_account_from_anywhere(home, mailoutbox):
    make_reader("target@example.com", language="en")
    for n in range(50):
        login(Client(), "target@example.com", "wrong", f"10.2.{n // 250}.{n % 250 + 1}")
    owner = Client()
    assert login(owner, "target@example.com", PASSWORD, OWNER).status_code == 429

    owner.post("/en/accounts/password/reset/", {"email": "target@example.com"}, REMOTE_ADDR=OWNER)
    (mail,) = mailoutbox
    response = owner.get(link_in(mail, "/password/reset/key/"), follow=True, REMOTE_ADDR=OWNER)
    new = "a-fresh-password-after-the-attack"
    owner.post(
        response.redirect_chain[-1][0], {"password1": new, "password2": new}, REMOTE_ADDR=OWNER
    )
    assert logged_in(login(owner, "target@example.com", new, OWNER))


def test_ten_failures_from_one_address_lock_it_out_of_every_account_for_a_minute(home):
    make_reader("victim@example.com")
    for n in range(10):
        login(Client(), f"guess{n}@example.com", "wrong-guess", ATTACKER)
    response = login(Client(), "victim@example.com", PASSWORD, ATTACKER)
    assert not logged_in(response)
    assert retry_after(response) <= 60
    assert logged_in(login(Client(), "victim@example.com", PASSWORD, OWNER))


def test_the_admin_login_answers_429_and_locks_only_the_address(client, home):
    editor = make_reader("editor@example.com")
    editor.groups.add(Group.objects.get(name="Editors"))
    for _ in range(5):
        assert admin_login(Client(), editor.username, "wrong", ATTACKER).status_code == 200
    response = admin_login(Client(), editor.username, PASSWORD, ATTACKER)
    assert 240 < retry_after(response) <= 300
    (error,) = response.context["form"].errors.as_data()["__all__"]
    assert error.code == "too_many_login_attempts"

    response = admin_login(client, editor.username, PASSWORD, OWNER)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_and_reader_logins_share_one_count_per_account_and_address(home):
    editor = make_reader("editor@example.com")
    editor.groups.add(Group.objects.get(name="Editors"))
    for _ in range(3):
        admin_login(Client(), editor.username.upper(), "wrong", ATTACKER)
    for _ in range(2):
        login(Client(), "Editor@Example.com", "wrong", ATTACKER)
    assert admin_login(Client(), editor.username, PASSWORD, ATTACKER).status_code == 429
    assert login(Client(), "editor@example.com", PASSWORD, ATTACKER).status_code == 429


def test_a_wrong_password_when_deleting_an_account_counts_and_answers_429(reader_client):
    for _ in range(5):
        reader_client.post("/en/accounts/delete/", {"password": "wrong"}, REMOTE_ADDR=ATTACKER)
    response = reader_client.post(
        "/en/accounts/delete/", {"password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    retry_after(response)
    assert get_user_model().objects.filter(email="reader@example.com").exists()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_other_rate_limits_answer_a_429_page_in_the_readers_language(home, language):
    # allauth's own per-view limits (here: 5 password reset requests a minute for one
    # address) answer through the site's 429 page.
    client = Client()
    for _ in range(5):
        client.post(f"/{language}/accounts/password/reset/", {"email": "someone@example.com"})
    response = client.post(
        f"/{language}/accounts/password/reset/", {"email": "someone@example.com"}
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert re.search(r"<h1>\s*" + re.escape(ui("Too many requests", language)), html)
    if language != "en":
        assert ui("Too many requests", language) != "Too many requests"
