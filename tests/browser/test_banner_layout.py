"""The cookie banner on a phone, in Chromium: how much of the screen it takes, and that it
moves nothing on the page when it appears.

A first-time reader (no consent cookie) sees the banner on every page; the demo's banner texts
are the site's, in each language (Thai, Hindi and German are the longest).
"""

import time

import pytest
from django.utils import translation
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONES = {"390x844": {"width": 390, "height": 844}, "320x568": {"width": 320, "height": 568}}

# Every layout shift the page reports, from the start of the page on (a PerformanceObserver
# registered before any of the page's own scripts run).
RECORD_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
        window.__shifts.push({value: entry.value, input: entry.hadRecentInput});
    }
}).observe({type: "layout-shift", buffered: true});
"""


def hold_back(route):
    """Answers the request 0.4 s late (the browser paints the page meanwhile)."""
    time.sleep(0.4)
    route.continue_()


def ui(text, language, context=None):
    with translation.override(language):
        if context:
            return translation.pgettext(context, text)
        return translation.gettext(text)


def banner(page):
    return page.locator("section.consent-banner")


@pytest.mark.parametrize("phone", PHONES, ids=list(PHONES))
def test_the_banner_takes_at_most_a_quarter_of_a_phone_screen(new_context, phone):
    viewport = PHONES[phone]
    page = new_context(viewport=viewport).new_page()
    for language in ("ja", "en", "th", "hi", "de"):
        page.goto(f"/{language}/")
        section = banner(page)
        expect(section).to_be_visible()
        page.evaluate("() => document.fonts.ready")
        height = section.bounding_box()["height"]
        assert height <= 0.25 * viewport["height"], f"{language}: {height:.0f} px"

        # Accept and reject side by side, the same width; Settings and Details on one row
        # under them; nothing cut off to the side.
        actions = section.locator(".consent-banner__actions > *")
        accept, reject, settings, details = (
            actions.nth(index).bounding_box() for index in range(4)
        )
        assert accept["y"] == reject["y"] and abs(accept["width"] - reject["width"]) < 1
        assert settings["y"] == details["y"] >= accept["y"] + accept["height"]
        for box in (accept, reject, settings, details):
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], language
            assert box["height"] >= 24, language  # WCAG 2.5.8: targets of at least 24 px

        # The whole text and the policy links are one tap away; the same button folds them.
        more = section.get_by_role("button", name=ui("Details", language, "cookie banner"))
        links = section.locator(".consent-banner__links")
        expect(more).to_have_attribute("aria-expanded", "false")
        expect(links).to_be_hidden()
        more.click()
        expect(more).to_have_attribute("aria-expanded", "true")
        expect(links).to_be_visible()
        text = section.locator(".consent-banner__text")
        assert text.evaluate("element => element.scrollHeight <= element.clientHeight + 1")
        # The page keeps room for the taller banner below its end.
        reserved = page.evaluate(
            "() => getComputedStyle(document.documentElement).scrollPaddingBottom"
        )
        assert reserved == f"{section.evaluate('element => element.offsetHeight')}px"
        more.click()
        expect(links).to_be_hidden()
        assert section.bounding_box()["height"] <= 0.25 * viewport["height"]


def test_the_banner_shows_everything_at_once_on_a_desktop(page):
    page.goto("/en/")
    section = banner(page)
    expect(section).to_be_visible()
    expect(section.locator(".consent-banner__links")).to_be_visible()
    expect(section.get_by_role("button", name=ui("Details", "en", "cookie banner"))).to_be_hidden()
    text = section.locator(".consent-banner__text")
    assert text.evaluate("element => element.scrollHeight <= element.clientHeight + 1")


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONES["390x844"]], ids=["desktop", "phone"]
)
def test_the_banner_appearing_shifts_nothing_and_the_page_end_stays_reachable(
    new_context, viewport
):
    context = new_context(viewport=viewport)
    context.add_init_script(RECORD_SHIFTS)
    page = context.new_page()
    # On a slow connection the page is painted before consent.js arrives and shows the
    # banner; here the script is held back a moment so that this happens every time.
    page.route("**/consent/consent.js", hold_back)
    # Short pages, where the footer sits at the bottom of the window: the reserved room once
    # moved it up by the banner's height.
    for url in ("/en/search/", "/ja/accounts/login/", "/th/articles/"):
        page.goto(url)
        section = banner(page)
        expect(section).to_be_visible()
        # Two frames after the banner: any shift it causes has been reported.
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        shifts = page.evaluate("() => window.__shifts")
        assert sum(shift["value"] for shift in shifts) == 0, f"{url}: {shifts}"

        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        footer = page.locator("footer .copyright").bounding_box()
        assert footer["y"] + footer["height"] <= section.bounding_box()["y"] + 1, url
