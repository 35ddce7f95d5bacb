"""A reader's account, in Chromium: register, verify, log in, save an article, delete it all.

The live server runs in this process with the locmem e-mail backend, so the verification
e-mail is read from ``django.core.mail.outbox``.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import SCREENSHOT_DIR, VIEWPORTS, png_size
from .test_reading import ui, url_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

EMAIL = "browser.reader@example.com"
PASSWORD = "a-long-browser-password-31"


def dismiss_cookie_banner(page):
    banner = page.locator("#consent-banner")
    if banner.is_visible():
        banner.locator("[data-consent-choice='reject']").click()
        expect(banner).to_be_hidden()


def log_in(page, language, password=PASSWORD):
    page.goto(f"/{language}/accounts/login/")
    page.locator("input[name='login']").fill(EMAIL)
    page.locator("input[name='password']").fill(password)
    page.locator("main form button[type='submit']").click()


def screenshot(page, name, viewport):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / f"{name}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    width, height = png_size(target)
    assert width == viewport["width"] and height >= viewport["height"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"], (
        f"{name} scrolls sideways"
    )


def test_reader_registers_saves_an_article_and_deletes_the_account(new_context, demo_site):
    page = new_context().new_page()
    page.goto("/en/accounts/signup/")
    dismiss_cookie_banner(page)
    page.locator("input[name='email']").fill(EMAIL)
    page.locator("input[name='password1']").fill(PASSWORD)
    page.locator("input[name='password2']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    expect(page).to_have_url(url_path("/en/accounts/confirm-email/"))
    expect(page.locator("h1")).to_have_text(ui("Verify Your Email Address", "en"))

    (message,) = [message for message in mail.outbox if message.to == [EMAIL]]
    link = re.search(r"https?://\S+/confirm-email/\S+", message.body).group(0)
    page.goto(link)
    page.locator("main form button[type='submit']").click()

    log_in(page, "en")
    expect(page).to_have_url(url_path("/en/"))
    nav = page.locator(".site-nav")
    expect(nav.get_by_role("link", name=ui("My account", "en"))).to_be_visible()

    article = demo_site.newest("en")
    page.goto(article.url)
    page.get_by_role("button", name=ui("Save article", "en")).click()
    expect(page).to_have_url(url_path(article.url))
    expect(page.locator(".save-article__state")).to_have_text(ui("Saved in your account", "en"))

    nav.get_by_role("link", name=ui("My account", "en")).click()
    expect(page).to_have_url(url_path("/en/accounts/"))
    expect(page.locator(".saved-list__title")).to_have_text([article.title])
    expect(page.locator(".account-section__email")).to_have_text(EMAIL)

    # Screenshots of the account page, for a person to look at.
    for device, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        for language in ("ja", "en"):
            page.goto(f"/{language}/accounts/")
            screenshot(page, f"{language}-account--{device}", viewport)
    page.set_viewport_size(VIEWPORTS["desktop"])

    page.goto("/en/accounts/")
    page.get_by_role("link", name=ui("Delete my account", "en")).click()
    expect(page).to_have_url(url_path("/en/accounts/delete/"))
    page.locator("input[name='password']").fill(PASSWORD)
    page.get_by_role("button", name=ui("Delete my account", "en")).click()
    expect(page).to_have_url(url_path("/en/"))
    expect(page.locator(".messages")).to_contain_text(
        ui("Your account and all its data have been deleted.", "en")
    )
    expect(nav.get_by_role("link", name=ui("Login", "en"))).to_be_visible()

    log_in(page, "en")
    expect(page).to_have_url(url_path("/en/accounts/login/"))
    expect(page.locator("main .errorlist")).to_contain_text(
        ui("The email address and/or password you specified are not correct.", "en")
    )


def test_login_page_screenshots(new_context):
    for device, viewport in VIEWPORTS.items():
        page = new_context(viewport=viewport).new_page()
        for language in ("ja", "en"):
            page.goto(f"/{language}/accounts/login/")
            dismiss_cookie_banner(page)
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("h1")).to_have_text(ui("Sign In", language))
            screenshot(page, f"{language}-login--{device}", viewport)
