"""Account actions while Redis, where their attempts are counted, is out of reach: refused
with 503 and Retry-After (the limits fail closed), in the reader's language; those already
signed in stay signed in; with Redis back, the limits count again.

Against a real ``redis-server`` (tests/redis_server.py). Why closed: docs/configuration.md,
"Redis".
"""

import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.conftest import REDIS_RETRY_INTERVAL

from .conftest import PASSWORD, make_reader, ui
from .test_login_limits import ATTACKER, OWNER, admin_login, logged_in, login

PAUSED = (
    "Signing in and changes to accounts are paused for a moment while part of the site recovers."
)


def paused(response):
    """The 503 of an account action that could not be counted."""
    assert response.status_code == 503
    assert 1 <= int(response["Retry-After"]) <= REDIS_RETRY_INTERVAL + 1
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_login_is_refused_with_503_even_with_the_right_password(
    redis_never_started, home, language
):
    make_reader("reader@example.com")
    assert Client().get(f"/{language}/accounts/login/").status_code == 200  # the form shows

    for password in ("wrong-guess", PASSWORD):
        response = login(Client(), "reader@example.com", password, ATTACKER, language)
        assert not logged_in(response)
        html = paused(response)
        assert f'<html lang="{language}"' in html
        assert ui(PAUSED, language) in html
        assert f'href="/{language}/accounts/login/"' in html  # back to the form
    assert ui(PAUSED, "ja") != PAUSED


def test_the_admin_login_and_a_password_reset_are_refused_with_503(
    redis_never_started, home, mailoutbox
):
    editor = make_reader("editor@example.com")
    editor.groups.add(Group.objects.get(name="Editors"))
    paused(admin_login(Client(), editor.username, PASSWORD, OWNER))

    response = Client().post("/en/accounts/password/reset/", {"email": "editor@example.com"})
    paused(response)
    assert mailoutbox == []


def test_a_signed_in_reader_stays_signed_in(redis_never_started, reader_client):
    response = reader_client.get("/ja/accounts/")
    assert response.status_code == 200
    assert "reader@example.com" in response.content.decode()


def test_with_redis_the_limit_counts_there_and_an_outage_closes_it(redis_caches, home):
    make_reader("target@example.com")
    for _ in range(5):
        assert login(Client(), "target@example.com", "wrong", ATTACKER).status_code == 200
    assert login(Client(), "target@example.com", PASSWORD, ATTACKER).status_code == 429
    assert redis_caches.keys("*allauth:rl:*") > 0

    redis_caches.stop()
    paused(login(Client(), "target@example.com", PASSWORD, OWNER))

    redis_caches.start()
    time.sleep(REDIS_RETRY_INTERVAL + 0.2)
    assert logged_in(login(Client(), "target@example.com", PASSWORD, OWNER))
