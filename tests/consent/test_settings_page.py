"""The Cookie Settings page, with and without JavaScript: a plain form that posts."""

import html
import re
import time

import pytest
from django.test import Client
from django.utils import translation

from consent import cookie

from .conftest import ui

URL = "/{language}/cookie-settings/"
VALID = "v=3&t=1750560000&analytics=1&marketing=0&functional=1"


def text(response):
    return html.unescape(response.content.decode())


def switches(response):
    """Each category switch: name → (checked, disabled)."""
    found = {}
    for tag in re.findall(r'<input class="consent-switch"[^>]*>', response.content.decode()):
        name = re.search(r'id="consent-(\w+)"', tag).group(1)
        found[name] = (" checked" in tag, " disabled" in tag)
    return found


def get(client, language="en", cookie_header=None, **query):
    headers = {"cookie": cookie_header} if cookie_header is not None else {}
    return client.get(URL.format(language=language), query, headers=headers)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_page_speaks_the_readers_language(client, consent_settings, language):
    response = get(client, language)
    assert response.status_code == 200
    page = text(response)
    assert f'<html lang="{language}"' in page
    assert f"<h1>{ui('Cookie Settings', language)}</h1>" in page
    for label in ("Essential cookies", "Analytics cookies", "Marketing cookies"):
        assert ui(label, language) in page
    for label in ("Save my choices", "Accept all", "Reject all", "Always on"):
        assert ui(label, language) in page
    none_yet = "You have not made a choice yet: until you do, only essential cookies are used."
    assert ui(none_yet, language) in page


def test_nothing_is_on_before_a_choice_except_essential_cookies(client, consent_settings):
    response = get(client)
    assert switches(response) == {
        "essential": (True, True),
        "analytics": (False, False),
        "marketing": (False, False),
        "functional": (False, False),
    }


def test_the_page_is_private_and_never_cached(client, consent_settings):
    response = get(client)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_the_current_choice_is_shown_with_its_date(client, consent_settings):
    response = get(client, "en", f"ukiyo_consent={VALID}")
    assert switches(response)["analytics"] == (True, False)
    assert switches(response)["marketing"] == (False, False)
    assert switches(response)["functional"] == (True, False)
    # 1750560000 is 2025-06-22 02:40 UTC, 11:40 in Tokyo (TIME_ZONE).
    assert "Your current choice was saved on June 22, 2025, 11:40." in text(response)


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        '"unterminated',
        "%ZZ%",
        "v=3&t=1750560000&analytics=2&marketing=0&functional=1",
        "v=3&t=1750560000&analytics=1&marketing=0",
        "v=3&t=1750560000&analytics=1&marketing=0&functional=1&analytics=1",
        "v=99999999999999999999&t=1&analytics=1&marketing=1&functional=1",
        "v=3&t=99999999999999999999999&analytics=1&marketing=1&functional=1",
        # A full-width digit, as the server receives UTF-8 bytes (WSGI decodes as Latin-1).
        "v=３&t=1750560000&analytics=1&marketing=0&functional=1".encode().decode("latin-1"),
        "v=3&t=1750560000&analytics=1&marketing=0&functional=1" + "&x=1" * 60,
        "",
    ],
)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_unreadable_cookie_counts_as_no_choice_and_says_so(
    client, consent_settings, value, language
):
    response = get(client, language, f"ukiyo_consent={value}")
    assert response.status_code == 200
    assert ui(
        "Your saved cookie choice could not be read, so we treat it as if you had not "
        "chosen yet: only essential cookies are used. Please choose again.",
        language,
    ) in text(response)
    optional = {name: state for name, state in switches(response).items() if name != "essential"}
    assert optional == dict.fromkeys(["analytics", "marketing", "functional"], (False, False))


def test_a_choice_for_an_older_policy_version_counts_as_no_choice(client, consent_settings):
    old = VALID.replace("v=3", "v=2")
    response = get(client, "en", f"ukiyo_consent={old}")
    assert response.status_code == 200
    assert "Our cookie policy has changed since you last chose" in text(response)
    assert switches(response)["analytics"] == (False, False)


def post(client, data, cookies=None, language="en", **extra):
    if cookies:
        extra["headers"] = {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    return client.post(URL.format(language=language), data, **extra)


CARRIED = {
    "_test_analytics": "1",
    "_ga_XYZ": "2",
    "_test_ads": "1",
    "pref": "dark",
    "unrelated": "1",
    "ukiyo_language": "en",
}


def stored(response):
    morsel = response.cookies[cookie.COOKIE_NAME]
    return cookie.parse(morsel.value), morsel


def deleted(response):
    return {
        name
        for name, morsel in response.cookies.items()
        if name != cookie.COOKIE_NAME and morsel["max-age"] == 0 and morsel.value == ""
    }


@pytest.mark.parametrize(
    ("data", "granted", "removed"),
    [
        ({"action": "accept"}, {"analytics", "marketing", "functional"}, set()),
        ({"action": "reject"}, set(), {"_test_analytics", "_ga_XYZ", "_test_ads", "pref"}),
        (
            {"action": "save", "functional": "1"},
            {"functional"},
            {"_test_analytics", "_ga_XYZ", "_test_ads"},
        ),
        (
            {"action": "save", "analytics": "1", "marketing": "1"},
            {"analytics", "marketing"},
            {"pref"},
        ),
        # The switches only count with "Save"; accept and reject ignore them.
        (
            {"action": "reject", "analytics": "1"},
            set(),
            {"_test_analytics", "_ga_XYZ", "_test_ads", "pref"},
        ),
    ],
)
def test_each_answer_sets_the_cookie_and_removes_refused_categories_cookies(
    client, consent_settings, data, granted, removed
):
    before = int(time.time())
    response = post(client, data, CARRIED)
    assert response.status_code == 303
    assert response["Location"] == "/en/cookie-settings/"
    choice, morsel = stored(response)
    assert choice.version == 3
    assert choice.granted == granted
    assert before <= choice.time <= int(time.time())
    assert morsel["path"] == "/"
    assert morsel["samesite"] == "Lax"
    assert morsel["max-age"] == cookie.COOKIE_MAX_AGE
    assert not morsel["httponly"]  # consent-mode.js reads it
    assert not morsel["secure"]  # plain http here
    # Written exactly as the script writes it, not in Python's quotes.
    assert morsel.OutputString().startswith(f"ukiyo_consent={choice.serialize()};")
    assert deleted(response) == removed
    assert "private" in response["Cache-Control"]


def test_odd_cookie_names_in_the_request_do_no_harm(client, consent_settings):
    response = post(client, {"action": "reject"}, {"_ga(1)": "x", "_ga 2": "y", "_ga_ok": "z"})
    assert response.status_code == 303
    assert deleted(response) == {"_ga_ok"}


def test_the_cookie_is_secure_on_https(client, consent_settings):
    response = post(client, {"action": "reject"}, secure=True)
    assert response.cookies[cookie.COOKIE_NAME]["secure"] is True


def test_after_saving_the_page_confirms_and_shows_the_new_choice(client, consent_settings):
    response = post(client, {"action": "save", "marketing": "1"}, follow=True)
    assert response.status_code == 200
    assert ui("Your cookie choice has been saved.", "en") in text(response)
    assert "Your current choice was saved on" in text(response)
    assert switches(response)["marketing"] == (True, False)
    assert switches(response)["analytics"] == (False, False)


def test_withdrawing_is_one_step_and_sticks(client, consent_settings):
    post(client, {"action": "accept"})
    response = post(client, {"action": "reject"}, follow=True)
    assert switches(response)["analytics"] == (False, False)
    assert cookie.parse(client.cookies[cookie.COOKIE_NAME].value).granted == set()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "everything"},
        {"action": "save", "analytics": "yes"},
        {"action": "save", "marketing": "0"},
        {"action": "save", "functional": "on"},
    ],
)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_form_with_values_it_does_not_accept_is_refused_and_changes_nothing(
    client, consent_settings, data, language
):
    response = post(client, data, {"ukiyo_consent": VALID, "_test_analytics": "1"}, language)
    assert response.status_code == 400
    message = ui(
        "Your choice could not be saved: the form arrived with values it does not accept. "
        "Nothing has changed; please choose again.",
        language,
    )
    assert message in text(response)
    assert 'role="alert"' in response.content.decode()
    assert cookie.COOKIE_NAME not in response.cookies
    assert "_test_analytics" not in response.cookies
    # The choice in force is still shown.
    assert switches(response)["analytics"] == (True, False)
    assert "no-store" in response["Cache-Control"]


def test_posting_without_the_csrf_token_is_refused(consent_settings):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/cookie-settings/", {"action": "accept"})
    assert response.status_code == 403
    assert cookie.COOKIE_NAME not in response.cookies


def test_the_form_posts_with_its_csrf_token(consent_settings):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/en/cookie-settings/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        "/en/cookie-settings/", {"action": "accept", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 303


def test_the_reader_is_offered_the_way_back_to_their_page(client, consent_settings):
    response = get(client, "en", next="/en/articles/?page=2")
    assert 'name="next" value="/en/articles/?page=2"' in response.content.decode()
    assert ui("Back to the page you were reading", "en") in text(response)
    saved = post(client, {"action": "reject", "next": "/en/articles/?page=2"})
    assert saved["Location"] == "/en/cookie-settings/?next=%2Fen%2Farticles%2F%3Fpage%3D2"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_a_way_back_to_another_site_is_dropped(client, consent_settings, target):
    response = get(client, "en", next=target)
    assert 'name="next"' not in response.content.decode()
    assert ui("Back to the page you were reading", "en") not in text(response)
    saved = post(client, {"action": "reject", "next": target})
    assert saved["Location"] == "/en/cookie-settings/"


def test_other_methods_are_not_allowed(client, consent_settings):
    assert client.put("/en/cookie-settings/").status_code == 405


def test_the_page_works_before_editors_configure_anything(client, home):
    response = client.get("/ja/cookie-settings/")
    assert response.status_code == 200
    saved = client.post("/ja/cookie-settings/", {"action": "accept"})
    assert cookie.parse(saved.cookies[cookie.COOKIE_NAME].value).version == 1


def services_of(html, category):
    services = r'(<p class="consent-category__services">.*?</p>)?'
    match = re.search(rf'id="consent-{category}-description".*?</p>\s*{services}', html, re.S)
    return match.group(1) or ""


def test_each_category_names_the_services_it_allows_and_their_cookies(client, consent_settings):
    html = client.get("/ja/cookie-settings/").content.decode()

    analytics = services_of(html, "analytics")
    with translation.override("ja"):
        label = translation.pgettext("cookie settings", "Services:")
    assert label != "Services:"
    assert label in analytics
    assert "Counter" in analytics and "(_test_analytics, _ga*)" in analytics
    assert "Ads" in services_of(html, "marketing")
    assert "Player" in services_of(html, "functional")
    # Essential cookies are the site's own: no third-party service is listed.
    assert services_of(html, "essential") == ""
