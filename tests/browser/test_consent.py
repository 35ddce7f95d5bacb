"""A reader decides on cookies, in Chromium: the banner, the Cookie Settings page, the scripts.

The demo site gets one script per optional category for this module (``consent_scripts``),
committed so that the live server sees it, and put back as it was afterwards. Each script
leaves a trace when it runs: a ``window`` flag and a cookie.
"""

import re
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connections
from django.utils import translation
from playwright.sync_api import expect
from wagtail.models import Site

from consent import cookie
from consent.models import ConsentRecord, ConsentSettings
from tests.consent.test_cookie import UNREADABLE

from .conftest import SCREENSHOT_DIR, VIEWPORTS, png_size

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ESSENTIAL = {"sessionid", "csrftoken", "ukiyo_language", "ukiyo_consent", "messages"}
SCRIPTS = [
    {
        "category": "analytics",
        "name": "Test counter",
        "code": (
            "<script>window.__analyticsRan = (window.__analyticsRan || 0) + 1;"
            'document.cookie = "_test_analytics=1; path=/; max-age=3600";</script>'
        ),
        "cookies": "_test_analytics",
    },
    {
        # An external script (a data: URL stands in for a vendor's file), after an inline one.
        "category": "marketing",
        "name": "Test ads",
        "code": (
            "<script>window.__adsQueue = [];</script>\n"
            '<script src="data:text/javascript,window.__adsQueue.push(1);'
            "window.__marketingRan=true;"
            "document.cookie='_test_ads_id=7; path=/; max-age=3600'\"></script>"
        ),
        "cookies": "_test_ads_*",
    },
    {
        "category": "functional",
        "name": "Test preferences",
        "code": 'window.__functionalRan = true; document.cookie = "_test_pref=1; path=/";',
        "cookies": "_test_pref",
    },
    {
        # A library, then the inline script that uses it (it must wait for the file); and a
        # <noscript> fallback that must stay dead (the image does not exist: a request fails).
        "category": "functional",
        "name": "Test library",
        "code": (
            '<script src="data:text/javascript,window.TestLib={init:function(){'
            'window.__libReady=(window.__libReady||0)+1}}"></script>\n'
            "<script>TestLib.init();</script>\n"
            '<noscript><img src="/missing-noscript-pixel.gif" alt=""></noscript>'
        ),
        "cookies": "",
    },
]
TRACES = ("__analyticsRan", "__marketingRan", "__functionalRan")
DENIED = {
    "analytics_storage": "denied",
    "ad_storage": "denied",
    "ad_user_data": "denied",
    "ad_personalization": "denied",
    "functionality_storage": "denied",
    "personalization_storage": "denied",
}


def ui(text, language):
    with translation.override(language):
        return translation.gettext(text)


def committed(function):
    """Run ``function`` on a connection of its own, committed at once: the live server sees
    it. (The test's own connection is inside the test's transaction, which it never sees.)"""
    outcome = {}

    def target():
        try:
            outcome["result"] = function()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def default_settings():
    return ConsentSettings.for_site(Site.objects.get(is_default_site=True))


@pytest.fixture(scope="module")
def consent_scripts(demo_site):
    """The demo site with a test script per category, version 4; restored afterwards."""

    def configure():
        existed = ConsentSettings.objects.filter(site__is_default_site=True).exists()
        settings = default_settings()
        before = (settings.policy_version, settings.scripts.get_prep_value())
        settings.policy_version = 4
        settings.scripts = [("script", script) for script in SCRIPTS]
        settings.save()
        return existed, before

    existed, (version, scripts) = committed(configure)
    yield SimpleNamespace(version=4)

    def restore():
        if not existed:
            ConsentSettings.objects.filter(site__is_default_site=True).delete()
            return
        settings = default_settings()
        settings.policy_version = version
        settings.scripts = scripts
        settings.save()

    committed(restore)


@pytest.fixture
def policy_version(consent_scripts):
    """``policy_version(n)`` changes the live site's version; put back after the test."""

    def change(version):
        def save():
            settings = default_settings()
            settings.policy_version = version
            settings.save(update_fields=["policy_version"])

        committed(save)

    yield change
    change(consent_scripts.version)


@pytest.fixture
def reader(new_context, consent_scripts):
    """A first-time reader's tab at desktop size."""
    return new_context().new_page()


def cookie_names(page):
    return {cookie["name"] for cookie in page.context.cookies()}


def consent_cookie(page):
    for stored in page.context.cookies():
        if stored["name"] == "ukiyo_consent":
            return stored
    return None


def traces(page):
    return {name: page.evaluate(f"() => window.{name} || null") for name in TRACES}


def consent_commands(page):
    """The Consent Mode commands in the data layer, in order: [(kind, signals)]."""
    entries = page.evaluate("() => (window.dataLayer || []).map(entry => Array.from(entry))")
    return [(entry[1], entry[2]) for entry in entries if entry and entry[0] == "consent"]


def banner(page):
    return page.locator("section.consent-banner")


def choose(page, button, language):
    """Click a banner button and wait for the server's copy of the choice.

    The banner writes the cookie at once and also posts the choice, which the server sets
    again. A test that changes the policy version or the cookie right after clicking must
    not race that answer: a late one would overwrite the newer state, or be refused (409).
    """
    with page.expect_response(lambda r: r.url.endswith("/cookie-settings/choice/")):
        banner(page).get_by_role("button", name=ui(button, language)).click()


def test_nothing_optional_is_stored_or_run_before_a_choice(reader, demo_site):
    requests = []
    reader.on("request", lambda request: requests.append(request.url))
    for url in ("/ja/", demo_site.newest("ja").url):
        reader.goto(url)
        expect(banner(reader)).to_be_visible()
        assert cookie_names(reader) <= ESSENTIAL - {"ukiyo_consent"}
        assert traces(reader) == dict.fromkeys(TRACES)
        assert reader.locator("script[src^='data:']").count() == 0
        assert consent_commands(reader) == [("default", {**DENIED, "security_storage": "granted"})]
    assert all(url.startswith(demo_site.url) for url in requests), "a request left the site"


def test_reject_all_is_remembered_across_pages_and_reloads(reader):
    reader.goto("/en/")
    choose(reader, "Reject all", "en")
    expect(banner(reader)).to_be_hidden()
    stored = consent_cookie(reader)
    # The server's copy adds the consent id of the consent log.
    assert re.fullmatch(
        r"v=4&t=\d+&analytics=0&marketing=0&functional=0&id=[0-9a-f]{32}", stored["value"]
    )
    assert stored["path"] == "/" and stored["sameSite"] == "Lax"
    # Kept about six months, not only for the session.
    assert abs(stored["expires"] - time.time() - cookie.COOKIE_MAX_AGE) < 120
    assert consent_commands(reader)[-1] == ("update", DENIED)

    for url in ("/en/", "/en/articles/"):
        reader.goto(url)
        expect(banner(reader)).to_be_hidden()
        assert traces(reader) == dict.fromkeys(TRACES)
        assert consent_commands(reader) == [
            ("default", {**DENIED, "security_storage": "granted"}),
            ("update", DENIED),
        ]
    assert cookie_names(reader) <= ESSENTIAL


def test_the_server_sets_the_banners_choice_again_for_its_full_term(reader):
    """Safari keeps a cookie written by a script for seven days; one set by a response, its
    full term. The banner's choice is therefore also posted and set by the server."""
    reader.goto("/en/")
    with reader.expect_response(lambda r: r.url.endswith("/cookie-settings/choice/")) as answer:
        banner(reader).get_by_role("button", name=ui("Reject all", "en")).click()
    response = answer.value
    assert response.status == 204
    set_cookie = response.header_value("set-cookie") or ""
    assert set_cookie.startswith("ukiyo_consent=v=")
    assert "analytics=0&marketing=0&functional=0" in set_cookie
    stored = consent_cookie(reader)
    assert stored["expires"] > time.time() + 180 * 24 * 3600


def test_the_banners_choices_are_logged_under_the_id_the_cookie_keeps(reader):
    reader.goto("/en/")
    choose(reader, "Reject all", "en")
    first = cookie.parse(consent_cookie(reader)["value"])
    assert first.consent_id and first.granted == set()

    # A later choice, made by the page's script, keeps the id the server gave.
    reader.goto("/en/cookie-settings/")
    with reader.expect_response(lambda r: r.url.endswith("/cookie-settings/choice/")):
        reader.evaluate(
            "() => fetch('/en/cookie-settings/choice/', {method: 'POST', "
            "headers: {'Content-Type': 'application/json'}, body: JSON.stringify({choice: "
            "window.ukiyoConsent.serialize(window.ukiyoConsent.save({analytics: true}))})})"
        )
    second = cookie.parse(consent_cookie(reader)["value"])
    assert second.consent_id == first.consent_id and second.granted == {"analytics"}

    records = committed(
        lambda: list(
            ConsentRecord.objects.filter(consent_id=first.consent_id)
            .order_by("pk")
            .values_list("choice", "source")
        )
    )
    assert records == [("reject_all", "banner"), ("custom", "banner")]


def test_accept_all_runs_every_script_once_and_is_remembered(reader):
    reader.goto("/ja/")
    choose(reader, "Accept all", "ja")
    expect(banner(reader)).to_be_hidden()
    reader.wait_for_function("() => window.__marketingRan === true")
    assert traces(reader) == {"__analyticsRan": 1, "__marketingRan": True, "__functionalRan": True}
    # The snippet's two scripts ran in order: the inline one made the queue the file fills.
    assert reader.evaluate("() => window.__adsQueue") == [1]
    assert {"_test_analytics", "_test_ads_id", "_test_pref"} <= cookie_names(reader)
    granted = dict.fromkeys(DENIED, "granted")
    assert consent_commands(reader)[-1] == ("update", granted)

    reader.reload()
    expect(banner(reader)).to_be_hidden()
    reader.wait_for_function("() => window.__marketingRan === true")
    assert traces(reader)["__analyticsRan"] == 1
    assert consent_commands(reader) == [
        ("default", {**DENIED, "security_storage": "granted"}),
        ("update", granted),
    ]


def test_the_analytics_script_runs_only_once_analytics_is_allowed(reader):
    reader.goto("/en/cookie-settings/")
    expect(banner(reader)).to_be_hidden()  # the page itself is the choice
    assert traces(reader) == dict.fromkeys(TRACES)
    reader.get_by_role("switch", name=ui("Analytics cookies", "en")).check()
    reader.get_by_role("button", name=ui("Save my choices", "en")).click()
    expect(reader.locator(".messages")).to_contain_text(
        ui("Your cookie choice has been saved.", "en")
    )
    assert traces(reader) == {"__analyticsRan": 1, "__marketingRan": None, "__functionalRan": None}
    assert "_test_analytics" in cookie_names(reader)
    assert consent_commands(reader)[-1] == ("update", {**DENIED, "analytics_storage": "granted"})
    reader.goto("/en/")
    expect(banner(reader)).to_be_hidden()


def test_withdrawing_a_category_in_the_settings_deletes_its_cookies(reader):
    reader.goto("/ja/")
    choose(reader, "Accept all", "ja")
    reader.wait_for_function("() => window.__marketingRan === true")
    assert {"_test_analytics", "_test_ads_id"} <= cookie_names(reader)

    reader.locator("footer").get_by_role("link", name=ui("Cookie Settings", "ja")).click()
    expect(reader).to_have_url(re.compile(r"/ja/cookie-settings/$"))
    essential = reader.get_by_role("switch", name=ui("Essential cookies", "ja"))
    expect(essential).to_be_checked()
    expect(essential).to_be_disabled()
    analytics = reader.get_by_role("switch", name=ui("Analytics cookies", "ja"))
    marketing = reader.get_by_role("switch", name=ui("Marketing cookies", "ja"))
    expect(analytics).to_be_checked()
    expect(marketing).to_be_checked()

    analytics.uncheck()
    reader.get_by_role("button", name=ui("Save my choices", "ja")).click()
    expect(reader.locator(".messages")).to_contain_text(
        ui("Your cookie choice has been saved.", "ja")
    )
    expect(analytics).not_to_be_checked()
    expect(marketing).to_be_checked()
    assert "_test_analytics" not in cookie_names(reader)
    assert "_test_ads_id" in cookie_names(reader)
    assert "analytics=0&marketing=1&functional=1" in consent_cookie(reader)["value"]
    assert traces(reader)["__analyticsRan"] is None

    # Withdrawing everything is one click.
    reader.get_by_role("button", name=ui("Reject all", "ja")).click()
    expect(marketing).not_to_be_checked()
    assert not {"_test_analytics", "_test_ads_id", "_test_pref"} & cookie_names(reader)


def test_a_raised_policy_version_asks_again_and_runs_nothing_meanwhile(reader, policy_version):
    reader.goto("/en/")
    choose(reader, "Accept all", "en")
    reader.wait_for_function("() => window.__marketingRan === true")

    policy_version(5)
    reader.reload()
    expect(banner(reader)).to_be_visible()
    assert traces(reader) == dict.fromkeys(TRACES)
    assert consent_commands(reader) == [("default", {**DENIED, "security_storage": "granted"})]
    # Without a valid choice, what the scripts stored earlier is removed.
    assert not {"_test_analytics", "_test_ads_id", "_test_pref"} & cookie_names(reader)
    reader.goto("/en/cookie-settings/")
    expect(reader.locator(".consent-settings__state")).to_contain_text(
        "Our cookie policy has changed"
    )

    reader.goto("/en/")
    choose(reader, "Reject all", "en")
    assert consent_cookie(reader)["value"].startswith("v=5&")


def test_the_script_reads_the_cookie_exactly_as_the_server_does(reader):
    reader.goto("/en/")
    readable = [
        "v=3&t=1750560000&analytics=1&marketing=0&functional=1",
        "v=999999999&t=0&analytics=0&marketing=0&functional=0",
        "v=1&t=99999999999&analytics=1&marketing=1&functional=1",
        "v=2&t=1750560000&analytics=0&marketing=1&functional=0&id=0123456789abcdef0123456789abcdef",
    ]
    for value in [*UNREADABLE, *readable, "v=3&t=1&analytics=1&marketing=0&functional=１"]:
        read_by_script = reader.evaluate("value => window.ukiyoConsent.parse(value)", value)
        choice = cookie.parse(value)
        expected = choice and {
            "version": choice.version,
            "time": choice.time,
            "granted": {name: name in choice.granted for name in cookie.OPTIONAL_CATEGORIES},
            **({"id": choice.consent_id} if choice.consent_id else {}),
        }
        assert read_by_script == expected, value
    assert all(cookie.parse(value) for value in readable)


@pytest.mark.parametrize(
    "value",
    ["garbage", "v=4", "v=4&t=1&analytics=1&marketing=1&functional=1&x=1", "%E0%A4%A", "a=b=c"],
)
def test_an_unreadable_consent_cookie_means_no_choice_without_errors(
    new_context, consent_scripts, demo_site, value
):
    context = new_context()
    context.add_cookies([{"name": "ukiyo_consent", "value": value, "url": demo_site.url}])
    page = context.new_page()
    page.goto("/ja/")
    expect(banner(page)).to_be_visible()
    assert traces(page) == dict.fromkeys(TRACES)
    page.goto("/ja/cookie-settings/")
    expect(page.locator(".consent-settings__state")).to_contain_text(
        ui(
            "Your saved cookie choice could not be read, so we treat it as if you had not "
            "chosen yet: only essential cookies are used. Please choose again.",
            "ja",
        )
    )


def test_keyboard_reaches_the_banner_right_after_the_skip_link(reader):
    reader.goto("/en/")
    reader.keyboard.press("Tab")
    assert reader.evaluate("() => document.activeElement.className") == "skip-link"
    reader.keyboard.press("Tab")
    assert reader.evaluate("() => !!document.activeElement.closest('.consent-banner')")
    reject = banner(reader).get_by_role("button", name=ui("Reject all", "en"))
    for _ in range(5):
        if reader.evaluate("() => document.activeElement.dataset.consentChoice") == "reject":
            break
        reader.keyboard.press("Tab")
    expect(reject).to_be_focused()
    reader.keyboard.press("Enter")
    expect(banner(reader)).to_be_hidden()
    # Focus does not vanish with the banner, and the choice is announced.
    assert reader.evaluate("() => document.activeElement.id") == "main-content"
    expect(reader.locator("[data-consent-status]")).to_have_text(
        ui("Your cookie choice has been saved.", "en")
    )


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_accept_and_reject_look_the_same_and_the_banner_leaves_the_page_usable(
    new_context, consent_scripts, device
):
    viewport = VIEWPORTS[device]
    page = new_context(viewport=viewport).new_page()
    page.goto("/ja/")
    section = banner(page)
    expect(section).to_be_visible()
    box = section.bounding_box()
    assert box["height"] <= 0.6 * viewport["height"]
    style = (
        "element => { const s = getComputedStyle(element); return [s.backgroundColor, s.color, "
        "s.fontSize, s.fontWeight, s.borderRadius, Math.round(element.offsetHeight)]; }"
    )
    accept = section.get_by_role("button", name=ui("Accept all", "ja"))
    reject = section.get_by_role("button", name=ui("Reject all", "ja"))
    assert accept.evaluate(style) == reject.evaluate(style)
    if device == "phone":  # side by side, same width
        assert abs(accept.bounding_box()["width"] - reject.bounding_box()["width"]) < 1
    # The end of the page scrolls clear of the banner: the footer can be read and used.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    footer_bottom = page.locator("footer .copyright").bounding_box()
    assert footer_bottom["y"] + footer_bottom["height"] <= section.bounding_box()["y"] + 1


def test_without_javascript_no_banner_and_the_settings_form_still_works(
    new_context, consent_scripts
):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/en/")
    expect(banner(page)).to_be_hidden()
    page.goto("/en/cookie-settings/")
    page.get_by_role("switch", name=ui("Marketing cookies", "en")).check()
    page.get_by_role("button", name=ui("Save my choices", "en")).click()
    expect(page.locator(".messages")).to_contain_text(
        ui("Your cookie choice has been saved.", "en")
    )
    assert "analytics=0&marketing=1&functional=0" in consent_cookie(page)["value"]
    assert not {"_test_analytics", "_test_ads_id", "_test_pref"} & cookie_names(page)


def test_screenshots_of_the_banner_and_the_settings_page(new_context, consent_scripts, demo_site):
    """For a person to look at (test-output/screenshots/consent-*.png)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        for language in ("ja", "en"):
            page = new_context(viewport=viewport).new_page()
            page.goto(demo_site.newest(language).url)
            expect(banner(page)).to_be_visible()
            page.evaluate("() => document.fonts.ready")
            shot(page, f"consent-banner-{language}--{device}", viewport)
            page.goto(f"/{language}/cookie-settings/")
            page.get_by_role("switch", name=ui("Analytics cookies", language)).check()
            page.get_by_role("button", name=ui("Save my choices", language)).click()
            expect(page.locator(".messages")).to_be_visible()
            page.evaluate("() => document.fonts.ready")
            shot(page, f"consent-settings-{language}--{device}", viewport, full_page=True)


def shot(page, name, viewport, full_page=False):
    target = SCREENSHOT_DIR / f"{name}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=full_page, animations="disabled")
    width, height = png_size(target)
    assert width == viewport["width"]
    assert height >= viewport["height"]


def test_an_inline_script_after_a_library_waits_for_it_and_noscript_stays_dead(reader):
    reader.goto("/en/")
    choose(reader, "Accept all", "en")
    reader.wait_for_function("() => window.__libReady === 1")
    assert reader.locator("img[src*='missing-noscript-pixel']").count() == 0
    reader.reload()
    reader.wait_for_function("() => window.__libReady === 1")
    assert reader.locator("img[src*='missing-noscript-pixel']").count() == 0


# Embedded content: two embeds whose HTML is local (nothing is fetched), cached as Wagtail
# would have cached a provider's answer. Each leaves a trace: its script and its frame. (The
# frame's document is counted from here: a srcdoc frame inherits the page's
# Content-Security-Policy, which runs no inline script without the page's nonce.)
FRAMES_LOADED = (
    "Array.from(document.querySelectorAll('iframe[title^=\"Test embed\"]')).filter((frame) => "
    "{ try { return frame.contentDocument.body.textContent.includes('embedded'); } "
    "catch (error) { return false; } }).length"
)


def frames_loaded(count):
    return f"() => ({FRAMES_LOADED}) === {count}"


def embed_html(number):
    frame = "<p>embedded</p>"
    return (
        f'<iframe title="Test embed {number}" srcdoc="{frame}"></iframe>'
        f"<script>window.__embedsRan = (window.__embedsRan || []).concat({number});</script>"
    )


@pytest.fixture(scope="module")
def embed_article(consent_scripts):
    from wagtail.embeds.embeds import get_embed_hash
    from wagtail.embeds.models import Embed

    from news.models import ArticlePage
    from tests.factories import ArticlePageFactory, embed_block, section

    urls = [f"https://video.example.com/watch/{number}" for number in (1, 2)]

    def create():
        for number, url in enumerate(urls, start=1):
            Embed.objects.create(
                url=url,
                hash=get_embed_hash(url),
                type="video",
                provider_name="ExampleTube",
                html=embed_html(number),
            )
        index = ArticlePage.objects.filter(locale__language_code="en").first().get_parent()
        body = [section("Videos", [embed_block(url, f"Clip {n}") for n, url in enumerate(urls, 1)])]
        page = ArticlePageFactory(parent=index, title="Two clips", slug="two-clips", body=body)
        return page.pk, page.url

    pk, url = committed(create)
    yield url

    def remove():
        ArticlePage.objects.get(pk=pk).delete()
        Embed.objects.filter(url__in=urls).delete()

    committed(remove)


def embeds_ran(page):
    return page.evaluate(f"() => [window.__embedsRan || [], {FRAMES_LOADED}]")


def test_embeds_wait_for_consent_one_loads_on_request_all_with_functional(reader, embed_article):
    reader.goto(embed_article)
    expect(banner(reader)).to_be_visible()
    placeholders = reader.locator("[data-consent-embed-placeholder]")
    expect(placeholders).to_have_count(2)
    expect(placeholders.first).to_contain_text("ExampleTube")
    assert reader.locator(".block-embed__frame iframe").count() == 0
    assert embeds_ran(reader) == [[], 0]
    expect(reader.locator("figcaption")).to_have_text(["Clip 1", "Clip 2"])

    placeholders.nth(1).get_by_role("button", name=ui("Load content", "en")).click()
    reader.wait_for_function(frames_loaded(1))
    assert embeds_ran(reader) == [[2], 1]
    expect(placeholders).to_have_count(1)
    assert consent_cookie(reader) is None  # loading one is not a choice

    # Reject all leaves the other one waiting; allowing functional cookies loads it.
    choose(reader, "Reject all", "en")
    expect(placeholders).to_have_count(1)
    reader.goto("/en/cookie-settings/")
    reader.get_by_role("switch", name=ui("Functional cookies", "en")).check()
    reader.get_by_role("button", name=ui("Save my choices", "en")).click()
    expect(reader.locator(".messages")).to_be_visible()
    reader.goto(embed_article)
    reader.wait_for_function(frames_loaded(2))
    assert sorted(embeds_ran(reader)[0]) == [1, 2]
    expect(reader.locator("[data-consent-embed-placeholder]")).to_have_count(0)


def test_embeds_load_when_functional_is_granted_on_the_page(reader, embed_article):
    reader.goto(embed_article)
    choose(reader, "Accept all", "en")
    reader.wait_for_function(frames_loaded(2))
    assert sorted(embeds_ran(reader)[0]) == [1, 2]


def test_without_javascript_an_embed_offers_its_link(new_context, embed_article):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(embed_article)
    placeholder = page.locator("[data-consent-embed-placeholder]").first
    expect(
        placeholder.get_by_role("link", name=ui("Open on the original site", "en"))
    ).to_be_visible()
    expect(placeholder.get_by_role("button")).to_be_hidden()


def test_going_back_after_withdrawing_does_not_keep_the_old_consent(reader):
    reader.goto("/en/")
    choose(reader, "Accept all", "en")
    reader.wait_for_function("() => window.__marketingRan === true")
    reader.evaluate(
        "() => window.addEventListener('pageshow', e => { if (e.persisted) "
        "sessionStorage.setItem('restored', '1'); })"
    )
    reader.locator("footer").get_by_role("link", name=ui("Cookie Settings", "en")).click()
    reader.get_by_role("button", name=ui("Reject all", "en")).click()
    expect(reader.locator(".messages")).to_be_visible()
    reader.go_back()
    reader.go_back()
    expect(reader).to_have_url(re.compile(r"/en/$"))
    reader.wait_for_load_state()
    # The page came back from the back/forward cache (its scripts still running), and
    # consent.js reloaded it: the old consent is gone.
    assert reader.evaluate("() => sessionStorage.getItem('restored')") == "1"
    reader.wait_for_function("() => window.__marketingRan === undefined")
    assert traces(reader) == dict.fromkeys(TRACES)
    assert consent_commands(reader)[-1] == ("update", DENIED)


def test_the_decision_on_a_choice_made_elsewhere(reader):
    reader.goto("/en/")
    decide = "state => window.ukiyoConsent.decide(state)"
    choice = {
        "version": 4,
        "time": 1,
        "granted": {"analytics": True, "marketing": False, "functional": False},
    }
    # No choice on the page: none still means nothing to do; a new one is applied.
    assert reader.evaluate(decide, {"status": "none", "choice": None}) == "none"
    assert reader.evaluate(decide, {"status": "valid", "choice": choice}) == "update"
    choose(reader, "Accept all", "en")
    reader.wait_for_function("() => window.__marketingRan === true")
    mine = reader.evaluate("() => window.ukiyoConsent.read()")
    assert reader.evaluate(decide, mine) == "none"
    # Anything this page started and that is no longer allowed needs a fresh page.
    assert reader.evaluate(decide, {"status": "valid", "choice": choice}) == "reload"
    assert reader.evaluate(decide, {"status": "invalid", "choice": None}) == "reload"
    assert reader.evaluate(decide, {"status": "none", "choice": None}) == "reload"


def test_another_tab_choice_is_picked_up_when_the_tab_is_shown_again(reader):
    reader.goto("/en/")
    expect(banner(reader)).to_be_visible()
    other = reader.context.new_page()
    other.goto("/en/")
    choose(other, "Accept all", "en")
    other.close()
    reader.evaluate(
        "() => { Object.defineProperty(document, 'visibilityState', {value: 'visible', "
        "configurable: true}); document.dispatchEvent(new Event('visibilitychange')); }"
    )
    expect(banner(reader)).to_be_hidden()
    reader.wait_for_function("() => window.__marketingRan === true")
    assert consent_commands(reader)[-1] == ("update", dict.fromkeys(DENIED, "granted"))


def test_the_open_banner_keeps_focused_elements_in_view(reader):
    reader.goto("/en/")
    height = banner(reader).evaluate("element => element.offsetHeight")
    padding = reader.evaluate(
        "() => getComputedStyle(document.documentElement).scrollPaddingBottom"
    )
    assert padding == f"{height}px"
    choose(reader, "Reject all", "en")
    padding = reader.evaluate(
        "() => getComputedStyle(document.documentElement).scrollPaddingBottom"
    )
    assert padding == "0px"


def test_withdrawing_expires_cookies_set_for_a_page_path(reader):
    reader.goto("/en/articles/")
    choose(reader, "Accept all", "en")
    reader.evaluate("() => { document.cookie = '_test_analytics=path; path=/en/articles'; }")
    assert [c["path"] for c in reader.context.cookies() if c["name"] == "_test_analytics"]
    reader.evaluate(
        "() => { document.cookie = 'ukiyo_consent=v=4&t=1&analytics=0&marketing=0"
        "&functional=0; path=/'; }"
    )
    reader.reload()
    assert "_test_analytics" not in cookie_names(reader)
