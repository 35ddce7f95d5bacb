"""The Content-Security-Policy in Chromium: nothing the site shows is refused.

Every violation the browser notices is collected twice: the page's own
``securitypolicyviolation`` events (listened to before any script of the page runs), and
Chromium's console, where it also reports a policy it could not read.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from news.models import ArticlePage

from .test_consent import committed, default_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective}: ${event.blockedURI}`);
});
"""
# One script per way an editor writes one: a library and the inline code that uses it.
ANALYTICS = {
    "category": "analytics",
    "name": "CSP test analytics",
    "code": (
        '<script src="data:text/javascript,window.CspLib={ready:function(){'
        'window.__cspAnalytics=(window.__cspAnalytics||0)+1}}"></script>\n'
        "<script>CspLib.ready();</script>"
    ),
    "cookies": "",
}


class Watch:
    """The policy problems of one tab: violation events and console reports."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(LISTEN)
        page.on("console", self.on_console)

    def on_console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text:
            self.console.append(text)

    def problems(self):
        events = self.page.evaluate("() => window.__violations || []")
        return events + self.console


@pytest.fixture(scope="module")
def consented_script(demo_site):
    def configure():
        settings = default_settings()
        before = settings.scripts.get_prep_value()
        settings.scripts = [("script", ANALYTICS)]
        settings.save()
        return before

    before = committed(configure)
    yield

    def restore():
        settings = default_settings()
        settings.scripts = before
        settings.save()

    committed(restore)


@pytest.fixture(scope="module")
def admin_session(demo_site):
    """A superuser's session cookie and an article's id, committed for the live server."""

    def create():
        user = get_user_model().objects.create_superuser(
            "csp-admin", "csp-admin@example.com", "a-long-csp-password-93"
        )
        client = Client()
        client.force_login(user)
        article = ArticlePage.objects.live().filter(locale__language_code="ja").first()
        return client.cookies["sessionid"].value, article.pk

    session, article_id = committed(create)
    yield session, article_id
    committed(lambda: get_user_model().objects.filter(username="csp-admin").delete())


def test_an_article_runs_its_scripts_and_consented_ones_without_violations(
    new_context, demo_site, consented_script
):
    page = new_context().new_page()
    watch = Watch(page)
    page.goto(demo_site.newest("en").url)
    expect(page.locator("#consent-banner")).to_be_visible()  # consent.js ran
    assert page.evaluate("() => typeof window.ukiyoConsent")  # consent-mode.js ran
    assert page.evaluate("() => window.__cspAnalytics || 0") == 0
    nonce = page.evaluate("() => document.querySelector('script[src*=consent-mode]').nonce")
    assert nonce

    page.locator("[data-consent-choice='accept']").click()
    page.wait_for_function("() => window.__cspAnalytics === 1")
    started = page.evaluate(
        "() => Array.from(document.querySelectorAll('body script:not([type])'))"
        ".filter(s => (s.src + s.text).includes('CspLib')).map(s => s.nonce)"
    )
    assert started == [nonce, nonce]
    assert watch.problems() == []

    # The next page starts the consented script at once, with that page's nonce.
    page.goto(demo_site.newest("en").url)
    page.wait_for_function("() => window.__cspAnalytics === 1")
    assert watch.problems() == []


def test_an_injected_script_without_the_nonce_is_refused(new_context, demo_site):
    page = new_context().new_page()
    watch = Watch(page)
    page.goto(demo_site.newest("en").url)
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = true'; document.body.append(s); }"
    )
    assert page.evaluate("() => window.__injected || false") is False
    assert any("script-src" in problem for problem in watch.problems())


@pytest.mark.parametrize("where", ["dashboard", "editor"])
def test_the_admin_works_under_its_policy(new_context, demo_site, admin_session, where):
    session, article_id = admin_session
    context = new_context()
    context.add_cookies([{"name": "sessionid", "value": session, "url": demo_site.url}])
    page = context.new_page()
    watch = Watch(page)
    if where == "dashboard":
        page.goto("/admin/")
        expect(page.locator("#wagtail-sidebar")).to_be_attached()
    else:
        page.goto(f"/admin/pages/{article_id}/edit/")
        expect(page.locator("form#page-edit-form")).to_be_visible()
        # The StreamField editor is built by the admin's scripts.
        expect(page.locator("[data-streamfield-stream-container]").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    problems = watch.problems()
    assert problems == [], "\n".join(problems)


def test_the_api_documentation_works_under_the_public_policy(new_context):
    page = new_context().new_page()
    watch = Watch(page)
    page.goto("/api/v3/docs/")
    expect(page.locator("#swagger-ui .information-container")).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems = watch.problems()
    assert problems == [], "\n".join(problems)


def test_an_editor_reading_an_article_has_a_working_userbar(new_context, demo_site, admin_session):
    """Wagtail's userbar on public pages: its files come from the site itself, no nonce."""
    session, _article_id = admin_session
    context = new_context()
    context.add_cookies([{"name": "sessionid", "value": session, "url": demo_site.url}])
    page = context.new_page()
    watch = Watch(page)
    page.goto(demo_site.newest("en").url)
    trigger = page.locator("wagtail-userbar").get_by_role("button").first
    trigger.click()
    expect(page.locator("wagtail-userbar").get_by_role("menu")).to_be_visible()
    page.wait_for_load_state("networkidle")
    problems = watch.problems()
    assert problems == [], "\n".join(problems)
