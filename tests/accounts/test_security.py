"""Password storage, failed-login limits, client addresses, the admin's door, sessions.

How failed logins lock an address and not the account: test_login_limits.py.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from cms.settings import base as base_settings
from core.clients import client_ip

from .conftest import PASSWORD, make_reader, ui

TOO_MANY = "Too many failed login attempts. Try again later."


def login(client, email, password, address="192.0.2.10", forwarded=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/en/accounts/login/", {"login": email, "password": password}, **headers)


def logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_real_settings_hash_new_passwords_with_argon2(client, home, settings):
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS
    client.post(
        "/en/accounts/signup/",
        {"email": "argon@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = get_user_model().objects.get(email="argon@example.com")
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_ten_failures_from_one_address_lock_that_address(home):
    make_reader("victim@example.com")
    for n in range(10):
        login(Client(), f"guess{n}@example.com", "wrong-guess", "203.0.113.66")

    response = login(Client(), "victim@example.com", PASSWORD, "203.0.113.66")
    assert not logged_in(response)
    assert ui(TOO_MANY, "en") in response.content.decode()
    # The same reader from their own address is not locked out.
    assert logged_in(login(Client(), "victim@example.com", PASSWORD, "198.51.100.7"))


def test_behind_a_proxy_a_forged_forwarded_address_locks_only_the_attacker(home, settings):
    settings.UKIYO_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    victim, attacker = "198.51.100.7", "203.0.113.66"
    make_reader("victim@example.com")
    make_reader("attacker-target@example.com")
    # The attacker writes the victim's address in X-Forwarded-For; the proxy appends the
    # attacker's real one.
    for n in range(10):
        login(Client(), f"guess{n}@example.com", "wrong", proxy, forwarded=f"{victim}, {attacker}")

    assert logged_in(login(Client(), "victim@example.com", PASSWORD, proxy, forwarded=victim))
    response = login(
        Client(), "attacker-target@example.com", PASSWORD, proxy, forwarded=f"{victim}, {attacker}"
    )
    assert not logged_in(response)
    assert ui(TOO_MANY, "en") in response.content.decode()


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(home):
    make_reader("victim@example.com")
    for n in range(10):
        login(Client(), f"guess{n}@example.com", "wrong", "203.0.113.66", forwarded=f"192.0.2.{n}")
    response = login(
        Client(), "victim@example.com", PASSWORD, "203.0.113.66", forwarded="192.0.2.200"
    )
    assert not logged_in(response)


# -- core.clients.client_ip ---------------------------------------------------------------


def request(remote="192.0.2.1", **headers):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "192.0.2.1"),  # no trusted proxy: the header is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.5, 198.51.100.7", "198.51.100.7"),  # only the last entry counts
        (2, "203.0.113.5, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        (1, " 198.51.100.7 ", "198.51.100.7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "198.51.100.7,", "198.51.100.7"),  # an empty entry is not an entry
        (2, "198.51.100.7", "192.0.2.1"),  # fewer entries than proxies: the connection
        (1, "", "192.0.2.1"),
        (1, "not-an-address", "192.0.2.1"),
        (1, "198.51.100.300", "192.0.2.1"),
        (1, "unknown, <script>", "192.0.2.1"),
        (1, "x" * 10_000, "192.0.2.1"),
    ],
)
def test_client_ip_from_x_forwarded_for(settings, count, forwarded, expected):
    settings.UKIYO_TRUSTED_PROXY_COUNT = count
    settings.UKIYO_TRUSTED_CLIENT_IP_HEADER = None
    assert client_ip(request(x_forwarded_for=forwarded)) == expected


def test_client_ip_without_forwarded_header(settings):
    settings.UKIYO_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request()) == "192.0.2.1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("198.51.100.7", "198.51.100.7"), ("garbage", "192.0.2.1"), (None, "192.0.2.1")],
)
def test_client_ip_from_a_trusted_header(settings, value, expected):
    settings.UKIYO_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    settings.UKIYO_TRUSTED_PROXY_COUNT = 0
    headers = {"x_real_ip": value} if value else {}
    # The trusted header wins over X-Forwarded-For, which a client can write.
    assert client_ip(request(x_forwarded_for="203.0.113.5", **headers)) == expected


def test_client_ip_with_a_broken_connection_address(settings):
    settings.UKIYO_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="")) == "0.0.0.0"


# -- the Wagtail admin --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/users/"])
def test_a_logged_in_reader_gets_no_admin_page(reader_client, path):
    response = reader_client.get(path)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")


def admin_login(client, username, password, address="192.0.2.10"):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_reader_credentials_do_not_open_the_admin(client, reader):
    admin_login(client, reader.username, PASSWORD)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert client.get("/admin/pages/").status_code in (302, 403)


def test_the_admin_login_form_refuses_readers_like_a_wrong_password(client, reader):
    response = admin_login(client, reader.username, PASSWORD)
    assert response.status_code == 200
    wrong = admin_login(Client(), reader.username, "wrong-password")
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors == wrong.context["form"].errors


def test_the_admin_login_form_lets_editors_in(client, home):
    editor = make_reader("editor@example.com")
    editor.groups.add(Group.objects.get(name="Editors"))
    response = admin_login(client, editor.username, PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_another_host_name_or_port_does_not_reset_an_accounts_count(home, settings):
    settings.ALLOWED_HOSTS = ["testserver", "testserver.", "localhost"]
    make_reader("target@example.com")
    hosts = ["testserver", "testserver.", "testserver:8001", "localhost", "testserver:8002"]
    for host in hosts:
        login(Client(HTTP_HOST=host), "target@example.com", "wrong")

    response = login(Client(HTTP_HOST="testserver:9000"), "target@example.com", PASSWORD)
    assert not logged_in(response)
    assert response.status_code == 429
    assert ui(TOO_MANY, "en") in response.content.decode()


def test_the_admin_has_no_second_password_reset_and_no_django_admin(client, home):
    assert client.get("/admin/password_reset/").status_code == 404
    assert client.get("/django-admin/", follow=True).status_code == 404


# -- bad input ------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(home):
    make_reader("reader@example.com")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/en/accounts/login/", {"login": "reader@example.com", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", ["not-an-address", "reader@", "@example.com", "a b@example.com"])
def test_signup_with_an_invalid_email_explains(client, home, email):
    response = client.post(
        "/en/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert ui("Enter a valid email address.", "en") in response.content.decode()
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "short1",
            "This password is too short. It must contain at least %(min_length)d characters.",
        ),
        ("password123", "This password is too common."),
        ("4815162342", "This password is entirely numeric."),
    ],
)
def test_signup_with_a_weak_password_explains(client, home, password, message):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "weak@example.com", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    html = response.content.decode()
    if "%(min_length)d" in message:
        assert "This password is too short." in html
    else:
        assert ui(message, "en") in html
    assert not get_user_model().objects.exists()


def test_signup_with_mismatched_passwords_explains(client, home):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert ui("You must type the same password each time.", "en") in response.content.decode()
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("path", ["/en/accounts/signup/", "/en/accounts/login/"])
def test_oversized_email_is_refused_with_a_message(client, home, path):
    huge = "a" * 10_000 + "@example.com"
    data = {"email": huge, "login": huge, "password": PASSWORD}
    data |= {"password1": PASSWORD, "password2": PASSWORD}
    response = client.post(path, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert ui("Enter a valid email address.", "en") in html
    assert "at most 320 characters" in html
    assert not get_user_model().objects.exists()


def test_oversized_password_at_login_is_just_a_wrong_password(client, reader):
    response = client.post(
        "/en/accounts/login/", {"login": "reader@example.com", "password": "x" * 10_000}
    )
    assert response.status_code == 200
    assert (
        ui("The email address and/or password you specified are not correct.", "en")
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_oversized_password_at_signup_is_refused_with_a_message(client, home):
    huge = "Aa1-" * 2_500
    response = client.post(
        "/en/accounts/signup/", {"email": "big@example.com", "password1": huge, "password2": huge}
    )
    assert response.status_code == 200
    message = ui("The password is too long: use at most %(max_length)d characters.", "en")
    assert message % {"max_length": 4096} in response.content.decode()
    assert not get_user_model().objects.exists()


# -- sessions -----------------------------------------------------------------------------


def test_a_password_change_ends_the_readers_other_sessions(home):
    reader = make_reader("reader@example.com", language="en")
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        response = device.post(
            "/en/accounts/login/", {"login": "reader@example.com", "password": PASSWORD}
        )
        assert logged_in(response)
        assert device.get("/en/accounts/").status_code == 200

    response = laptop.post(
        "/en/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-new-secret-77", "password2": "a-new-secret-77"},
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("a-new-secret-77")

    # The session that changed the password goes on; the other one is logged out.
    assert laptop.get("/en/accounts/").status_code == 200
    response = phone.get("/en/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    assert "_auth_user_id" not in phone.session
