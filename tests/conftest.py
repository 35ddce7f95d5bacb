import re

import pytest
from django.conf import settings
from django.core.cache import caches
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.models import Locale, Page, Site
from wagtail.users.models import UserProfile

from home.models import HomePage

from .factories import ArticleIndexPageFactory, CategoryFactory


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with an empty page cache: the local-memory cache outlives a test, and
    the test database is emptied (and its ids reused) behind it."""
    caches[settings.UKIYO_PAGE_CACHE_ALIAS].clear()


@pytest.fixture
def locales(db):
    """Every site language as a Wagtail locale, by language code."""
    return {
        code: Locale.objects.get_or_create(language_code=code)[0] for code, _ in settings.LANGUAGES
    }


@pytest.fixture
def home(locales):
    """The Japanese home page that the migrations create, as the default site's root."""
    page = HomePage.objects.get(depth=2, locale=locales["ja"])
    Site.objects.filter(is_default_site=True).update(hostname="testserver", port=80)
    return page


@pytest.fixture
def index(home):
    return ArticleIndexPageFactory(parent=home)


@pytest.fixture
def category(locales):
    return CategoryFactory(name="宇宙", slug="space", locale=locales["ja"])


def without_nonce(content):
    """A page without its Content-Security-Policy nonces, the one part new in every response.

    Pages are otherwise the same for every anonymous reader (and so cacheable); a cached copy
    keeps the nonce of the response it was made from, with the header that names it.
    """
    if isinstance(content, bytes):
        return re.sub(rb' nonce="[^"]*"', b"", content)
    return re.sub(r' nonce="[^"]*"', "", content)


def translate_page(page, locale, **changes):
    """A published translation of ``page`` in ``locale`` (its parents translated first)."""
    translation = page.copy_for_translation(locale, copy_parents=True)
    for name, value in changes.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation.specific


@pytest.fixture
def english_tree(home, index, locales):
    """The English home and article index: translations of the Japanese ones."""
    en_home = translate_page(home, locales["en"], title="Home")
    en_index = translate_page(index, locales["en"], title="All Articles")
    return en_home, en_index


@pytest.fixture
def root_page(db):
    return Page.objects.get(depth=1)


@pytest.fixture
def editor(client, admin_user):
    """A client logged in as a superuser working in the English admin.

    The admin follows each user's language; English keeps messages comparable in tests.
    """
    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(admin_user)
    return client


# A CDN that records the URLs it is asked to purge (the ``cdn`` fixture).
PURGED = []


class RecordingBackend(BaseBackend):
    def purge(self, url):
        PURGED.append(url)


@pytest.fixture
def cdn(settings):
    """The URLs purged from the CDN (Wagtail's frontend cache) while the test runs."""
    settings.WAGTAILFRONTENDCACHE = {"test": {"BACKEND": "tests.conftest.RecordingBackend"}}
    PURGED.clear()
    return PURGED
