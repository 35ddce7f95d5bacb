import re

import pytest
from django.conf import settings
from django.core.cache import caches
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.models import Locale, Page, Site
from wagtail.users.models import UserProfile

from cms.settings.environment import cache_from_url
from core import pagecache, sharedcache
from home.models import HomePage

from .factories import ArticleIndexPageFactory, CategoryFactory
from .redis_server import RedisServer, free_port


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with an empty page cache: the local-memory cache outlives a test, and
    the test database is emptied (and its ids reused) behind it."""
    caches[settings.UKIYO_PAGE_CACHE_ALIAS].clear()


@pytest.fixture
def no_search_rate_limit(settings):
    """Searches not limited per client address (the test client sends every request from one),
    starting from an empty cache."""
    settings.UKIYO_SEARCH_RATE_LIMIT = "off"
    caches["default"].clear()


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


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real Redis (``redis-server``) for this test process, started when a test first asks."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server):
    """The tests' Redis, answering and empty; answering again after the test, whatever the
    test did to it."""
    redis_server.resume()
    if not redis_server.running:
        redis_server.start()
    redis_server.flush()
    yield redis_server
    redis_server.resume()
    if not redis_server.running:
        redis_server.start()


# The tests' Redis connections: a socket waits a second at most (a loaded machine must not
# make a healthy Redis look hung), and a process works without Redis for a second after a
# failure, so that tests go through an outage quickly.
REDIS_TIMEOUT = 1.0
REDIS_RETRY_INTERVAL = 1.0


def redis_caches_at(url):
    """``CACHES`` as production makes it from ``CACHE_URL=url`` (``cms.settings.base``)."""
    default = cache_from_url(url, str(REDIS_RETRY_INTERVAL))
    default["OPTIONS"].update(socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
    return {
        "default": default,
        settings.UKIYO_PAGE_CACHE_ALIAS: {**default, "KEY_PREFIX": "ukiyo-pages", "TIMEOUT": None},
    }


def forget_outages():
    """This process knows of no outage and no change the page cache missed."""
    sharedcache._outages.clear()
    pagecache._missed = None


@pytest.fixture
def redis_caches(settings, redis):
    """Every cache of this process in the tests' Redis, as ``CACHE_URL=redis://...`` makes
    them in production: the page cache, the rate limits' counters, the pieces pages share."""
    settings.CACHES = redis_caches_at(redis.url)
    forget_outages()
    yield redis
    forget_outages()


@pytest.fixture
def redis_never_started(settings):
    """Every cache of this process in a Redis that is not there (nothing listens on its
    port), as after a deployment whose Redis never came up."""
    settings.CACHES = redis_caches_at(f"redis://127.0.0.1:{free_port()}/0")
    forget_outages()
    yield
    forget_outages()


def pytest_terminal_summary(terminalreporter):
    """What the cluster tests saw (requests, statuses, writes acknowledged and found), printed
    after every run that had them: their ``cluster`` property travels with the test's report,
    also from pytest-xdist's processes."""
    lines = [
        value
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, ())
        for name, value in getattr(report, "user_properties", ())
        if name == "cluster"
    ]
    if lines:
        terminalreporter.section("cluster in a box")
        for line in lines:
            terminalreporter.write_line(line)
