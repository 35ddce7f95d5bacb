import pytest
from django.utils import translation
from wagtail.models import Site

from consent.models import ConsentSettings

ANALYTICS_CODE = (
    '<script>window.__analyticsRan = true; document.cookie = "_test_analytics=1; path=/";</script>'
)


def ui(text, language):
    """``text`` as the site shows it in ``language`` (gettext)."""
    with translation.override(language):
        return translation.gettext(text)


def script(category, name, code, cookies=""):
    return ("script", {"category": category, "name": name, "code": code, "cookies": cookies})


@pytest.fixture
def site(home):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def consent_settings(site):
    """Version 3, with one script per category and the cookies each sets."""
    settings = ConsentSettings.for_site(site)
    settings.policy_version = 3
    settings.scripts = [
        script("analytics", "Counter", ANALYTICS_CODE, "_test_analytics, _ga*"),
        script("marketing", "Ads", "window.__adsRan = true;", "_test_ads"),
        script("functional", "Player", "<script>window.__playerRan = true;</script>", "pref"),
    ]
    settings.save()
    return settings
