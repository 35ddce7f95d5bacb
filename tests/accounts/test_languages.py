"""The account pages speak the reader's language, never the site's default one.

Django falls back to LANGUAGE_CODE (Japanese) for a message missing in a language's catalog,
so a gap shows Japanese to a Thai reader rather than English. Kana never belong on a page
that is not Japanese (the language menu writes 日本語 in kanji only).
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from .conftest import PASSWORD, make_reader

KANA = re.compile(r"[\u3040-\u30ff][^<]*")
LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "ja"]


def kana_in_main(response):
    main = re.search(r"<main\b.*?</main>", response.content.decode(), re.S).group(0)
    return KANA.findall(main)


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor_pages_and_their_errors_have_no_japanese(client, home, language):
    pages = [
        client.get(f"/{language}/accounts/signup/"),
        client.post(
            f"/{language}/accounts/signup/",
            {"email": "not-an-address", "password1": "1234", "password2": "12345"},
        ),
        client.post(
            f"/{language}/accounts/signup/",
            {"email": "a@example.com", "password1": "password", "password2": "password"},
        ),
        client.post(
            f"/{language}/accounts/login/", {"login": "nobody@example.com", "password": "x"}
        ),
        client.get(f"/{language}/accounts/password/reset/"),
    ]
    for response in pages:
        assert kana_in_main(response) == [], response.request["PATH_INFO"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_reader_pages_have_no_japanese(home, language):
    client = Client()
    client.force_login(make_reader(f"reader-{language}@example.com", language=language))
    pages = [
        client.get(f"/{language}/accounts/"),
        client.get(f"/{language}/accounts/email/"),
        client.get(f"/{language}/accounts/password/change/"),
        client.post(
            f"/{language}/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": "123", "password2": "123"},
        ),
        client.get(f"/{language}/accounts/delete/"),
    ]
    for response in pages:
        assert kana_in_main(response) == [], response.request["PATH_INFO"]
