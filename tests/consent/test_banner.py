"""The banner and the consent scripts in every page: the same HTML for every reader."""

import html
import json
import re

import pytest
from django.test import Client
from django.utils import translation

from consent.models import ConsentTexts
from core.models import FooterLinks
from tests.conftest import translate_page, without_nonce
from tests.factories import StandardPageFactory

from .conftest import ui

VALID = "v=3&t=1750560000&analytics=1&marketing=1&functional=1"


def banner(page):
    return re.search(r'<section class="consent-banner".*?</section>', page, re.S).group(0)


def config(page):
    found = re.search(
        r'<script id="consent-config" type="application/json">(.*?)</script>', page, re.S
    )
    return json.loads(found.group(1))


def head(page):
    return re.search(r"<head>.*?</head>", page, re.S).group(0)


@pytest.fixture
def pages(home, english_tree):
    """A page of each kind the banner must be on, in Japanese and English."""
    return ["/ja/", "/en/", "/ja/articles/", "/en/search/", "/en/cookie-settings/", "/ja/nowhere/"]


def test_every_page_carries_the_hidden_banner_and_the_consent_scripts(
    client, pages, consent_settings
):
    for url in pages:
        page = client.get(url).content.decode()
        section = banner(page)
        assert " hidden>" in section.split("\n")[0], url
        assert 'aria-labelledby="consent-banner-title"' in section
        assert 'data-consent-choice="accept"' in section
        assert 'data-consent-choice="reject"' in section
        assert config(page)["scripts"], url
        # consent-mode.js is the first script of the page, with the version; deferred, like
        # every script of the page, so it runs first and blocks no rendering.
        scripts = re.findall(r"<script\b[^>]*>", without_nonce(head(page)))
        assert scripts[0] == (
            '<script src="/static/consent/consent-mode.js" defer data-cookie="ukiyo_consent" '
            'data-version="3" data-max-age="15724800">'
        ), url
        assert '<script src="/static/consent/consent.js" defer>' in scripts


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_banner_offers_accept_reject_and_settings_in_the_readers_language(
    client, home, english_tree, language
):
    page = html.unescape(client.get(f"/{language}/").content.decode())
    section = banner(page)
    for label in ("Accept all", "Reject all"):
        assert f">{ui(label, language)}<" in section
    with translation.override(language):
        # In its own context: the admin's "Settings" menu is another word in some languages.
        assert f">{translation.pgettext('cookie banner', 'Settings')}<" in section
    assert ui("Cookies on this site", language) in section
    assert f'href="/{language}/cookie-settings/?next=/{language}/"' in section
    assert "checkbox" not in section  # no pre-ticked box: no box at all on the first layer


def test_the_page_is_the_same_bytes_for_every_reader(client, home, english_tree, consent_settings):
    readers = [
        {},
        {"cookie": f"ukiyo_consent={VALID}"},
        {"cookie": "ukiyo_consent=v=3&t=1&analytics=0&marketing=0&functional=0; ukiyo_language=en"},
        {"cookie": "ukiyo_consent=garbage; _ga=GA1.1.1"},
    ]
    for url in ("/ja/", "/en/articles/"):
        responses = [Client().get(url, headers=headers) for headers in readers]
        assert {response.status_code for response in responses} == {200}
        assert len({without_nonce(response.content) for response in responses}) == 1, url


def test_the_banner_has_no_csrf_token_and_sets_no_cookie(client, home, consent_settings):
    response = client.get("/ja/")
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


def test_scripts_are_only_in_inert_data_never_live_in_the_page(client, home, consent_settings):
    page = client.get("/ja/").content.decode()
    # Every script element of the page: ours, and the JSON the scripts are carried in.
    tags = re.findall(r"<script\b[^>]*>", without_nonce(page))
    assert tags == [
        '<script src="/static/consent/consent-mode.js" defer data-cookie="ukiyo_consent" '
        'data-version="3" data-max-age="15724800">',
        '<script src="/static/consent/consent.js" defer>',
        '<script src="/static/js/ukiyo.js" defer>',
        # The site described for search engines (schema.org JSON-LD): data, never run.
        '<script type="application/ld+json">',
        '<script id="consent-config" type="application/json">',
    ]
    data = config(page)
    element = re.search(r'<script id="consent-config".*?</script>', page, re.S).group(0)
    outside = page.replace(element, "")
    for marker in ("__analyticsRan", "__adsRan", "__playerRan"):
        assert marker not in outside
    # Inside the JSON, "<" is escaped: the snippet cannot close the element it is in.
    raw = re.search(r'<script id="consent-config"[^>]*>(.*?)</script>', page, re.S).group(1)
    assert "<" not in raw
    assert data["scripts"] == [
        {
            "category": "analytics",
            "name": "Counter",
            "html": consent_settings.scripts[0].value["code"],
            "cookies": ["_test_analytics", "_ga*"],
        },
        {
            "category": "marketing",
            "name": "Ads",
            "html": "<script>\nwindow.__adsRan = true;\n</script>",
            "cookies": ["_test_ads"],
        },
        {
            "category": "functional",
            "name": "Player",
            "html": "<script>window.__playerRan = true;</script>",
            "cookies": ["pref"],
        },
    ]
    assert data["cookies"] == {
        "analytics": ["_test_analytics", "_ga*"],
        "marketing": ["_test_ads"],
        "functional": ["pref"],
    }
    assert set(data["essential"]) == {
        "sessionid",
        "csrftoken",
        "ukiyo_language",
        "messages",
        "ukiyo_consent",
        "ukiyo_device",
    }


def test_editors_texts_show_in_their_language_and_built_in_texts_elsewhere(
    client, home, english_tree, locales, site
):
    ConsentTexts.objects.create(
        site=site, locale=locales["ja"], title="クッキーについて", text="一行目\n二行目"
    )
    ja = banner(client.get("/ja/").content.decode())
    assert "クッキーについて" in ja
    assert "一行目<br>二行目" in ja
    en = html.unescape(banner(client.get("/en/").content.decode()))
    assert "クッキーについて" not in en
    assert ui("Cookies on this site", "en") in en


def test_an_empty_field_falls_back_to_the_built_in_text(client, home, locales, site):
    ConsentTexts.objects.create(site=site, locale=locales["ja"], title="", text="本文だけ")
    section = html.unescape(banner(client.get("/ja/").content.decode()))
    assert ui("Cookies on this site", "ja") in section
    assert "本文だけ" in section


def test_the_banner_and_the_footer_link_the_policies_and_the_settings_page(
    client, home, english_tree, locales, site
):
    policy = StandardPageFactory(parent=home, slug="cookies", title="Cookieポリシー")
    translate_page(policy, locales["en"], title="Cookie Policy")
    privacy = StandardPageFactory(parent=home, slug="privacy", title="プライバシー")
    FooterLinks.objects.update_or_create(
        site=site, defaults={"cookie_page": policy, "privacy_page": privacy}
    )
    for language in ("ja", "en"):
        page = html.unescape(client.get(f"/{language}/").content.decode())
        section = banner(page)
        assert f'<a href="/{language}/cookies/">{ui("Cookie Policy", language)}</a>' in section
        footer = re.search(r"<footer\b.*?</footer>", page, re.S).group(0)
        assert f'<a href="/{language}/cookies/">{ui("Cookie Policy", language)}</a>' in footer
        assert (
            f'<a href="/{language}/cookie-settings/">{ui("Cookie Settings", language)}</a>'
            in footer
        )
    settings_page = html.unescape(client.get("/en/cookie-settings/").content.decode())
    assert f'<a href="/en/cookies/">{ui("Read the Cookie Policy", "en")}</a>' in settings_page
    assert 'href="/en/cookie-settings/" aria-current="page"' in settings_page


def test_the_footer_links_the_settings_page_even_without_a_policy_page(client, home):
    footer = re.search(r"<footer\b.*?</footer>", client.get("/ja/").content.decode(), re.S)
    assert 'href="/ja/cookie-settings/"' in footer.group(0)
