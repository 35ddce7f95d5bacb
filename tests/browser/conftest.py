"""Browser tests: the demo site served by a live Django server, read in Debian's Chromium.

Design
------
Loading the demo takes seconds, so it is loaded ONCE for the whole ``tests/browser`` package,
and it must be committed: the live server answers from its own threads and database
connections, which never see the data of a test's open transaction. Per-test
``transaction=True`` (pytest-django's ``live_server``) would flush the database after every
test and reload the demo each time, so it is not used.

``demo_site`` (package scope) therefore:

1. checks that it is on the test database (see "The test database" below);
2. unblocks database access for the whole package (``django_db_blocker``; the block is global,
   so this is also what lets the server threads query);
3. snapshots the database as it is before the browser tests (``serialize_db_to_string``: the
   migrations' rows, i.e. the default site, the root and Japanese home pages, locales,
   content types, groups...);
4. points ``MEDIA_ROOT`` at a temporary folder, so the demo's images and renditions do not pile
   up in ``test-output/media``;
5. runs ``DemoLoader().load()`` (committed, no admin user) and starts a ``LiveServer`` on
   127.0.0.1 (Wagtail falls back to the default site for that host name).

At the end of the package it stops the server and restores the snapshot exactly the way
Django's ``TransactionTestCase(serialized_rollback=True)`` does: ``flush`` without resetting the
sequences and without ``post_migrate`` (which would recreate content types and permissions
under new ids), then ``deserialize_db_from_string``. A bare ``flush`` would be wrong: it would
also delete what the migrations created, which every other test relies on. The restore is
checked (the database is serialized again and compared with the snapshot), so a leak into the
tests that run after this package fails loudly here instead of confusing them. The other tests
(the ``db`` fixture: one transaction per test, rolled back) never overlap with this package,
so they always see the database exactly as the migrations left it.

The test database
-----------------
pytest-django creates the test database only when a collected test asks for one (a
``django_db`` mark or the ``db`` fixture); otherwise Django stays connected to the database
that ``DATABASE_URL`` names. So the browser tests carry ``@pytest.mark.django_db`` (each one
then also runs in a transaction that is rolled back, which costs nothing: they only read), and
``demo_site`` refuses to run on any database but the test database: it flushes what it uses.

Playwright and Django's async guard
-----------------------------------
Playwright's sync API runs an event loop in the test thread, so Django takes the thread for
async code and refuses database calls (``SynchronousOnlyOperation``), including the per-test
transaction of the ``django_db`` mark. The tests themselves read no database (``DemoSite``
carries what they need to know, read before Chromium starts), and ``browser`` sets
``DJANGO_ALLOW_ASYNC_UNSAFE`` only while Chromium runs, the remedy Django documents for a
loop that does not actually run async code. Playwright also switches the test thread to a
``contextvars`` context of its own while it runs, and Django keeps one connection per context:
``browser`` closes the tests' connection before stopping Playwright, or PostgreSQL refuses to
drop the test database at the end of the session ("being accessed by other users").
"""

import json
import shutil
import struct
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.test.utils import override_settings
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from demo.loader import DemoLoader
from news.models import ArticlePage
from scripts.screenshots import CHROMIUM_ARGS, VIEWPORTS

SCREENSHOT_DIR = settings.BASE_DIR / "test-output" / "screenshots"
# Playwright's default is 30 s; a local page that takes 10 s is already a failure.
TIMEOUT_MS = 10_000


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "Chromium is not installed, so the browser tests cannot run. Install it with "
            "`make install-test` (Debian's `chromium` package); `playwright install` does not "
            "work here.",
            pytrace=False,
        )
    return path


def is_test_database(database):
    """Whether Django's connection ``database`` (a settings dict) is on a test database."""
    name = str(database["NAME"])
    return name == database["TEST"].get("NAME") or name.startswith(TEST_DATABASE_PREFIX)


def database_snapshot(alias=DEFAULT_DB_ALIAS):
    return connections[alias].creation.serialize_db_to_string()


def restore_database(snapshot, alias=DEFAULT_DB_ALIAS):
    call_command(
        "flush",
        database=alias,
        interactive=False,
        reset_sequences=False,
        inhibit_post_migrate=True,
        verbosity=0,
    )
    connections[alias].creation.deserialize_db_from_string(snapshot)
    # Wagtail caches the site root paths; they must not outlive the demo's site.
    cache.clear()


def describe_difference(before, after):
    """The models whose rows differ between two snapshots, for the failure message."""

    def rows(snapshot):
        counts = {}
        for row in json.loads(snapshot):
            counts[row["model"]] = counts.get(row["model"], 0) + 1
        return counts

    before, after = rows(before), rows(after)
    return {
        model: (before.get(model, 0), after.get(model, 0))
        for model in sorted(set(before) | set(after))
        if before.get(model) != after.get(model)
    } or "same row counts, different values"


@dataclass(frozen=True)
class Article:
    title: str
    slug: str
    url: str
    display_date: str
    languages: frozenset  # the languages it is live in, its own included


@dataclass
class DemoSite:
    """The live server's address and what the demo contains, read before Chromium starts.

    While Playwright's sync API is running, the test thread counts as async for Django (see
    the module docstring), so the tests get these facts instead of querying the database.
    """

    url: str
    articles: dict = field(default_factory=dict)  # language → [Article], newest first

    def newest(self, language):
        return self.articles[language][0]

    def translated(self, source, translated, untranslated):
        """A ``source`` article live in ``translated`` but not in ``untranslated``."""
        for article in self.articles[source]:
            if translated in article.languages and untranslated not in article.languages:
                return article
        pytest.fail(f"The demo has no {source} article in {translated} and not {untranslated}")


def demo_articles():
    articles = {}
    for page in ArticlePage.objects.live().select_related("locale").order_by("-display_date"):
        languages = page.get_translations(inclusive=True).live()
        articles.setdefault(page.locale.language_code, []).append(
            Article(
                title=page.title,
                slug=page.slug,
                url=page.url,
                display_date=page.display_date.isoformat(),
                languages=frozenset(languages.values_list("locale__language_code", flat=True)),
            )
        )
    return articles


@pytest.fixture(scope="package")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content, committed and served live: a ``DemoSite``."""
    database = connections[DEFAULT_DB_ALIAS].settings_dict
    if not is_test_database(database):
        pytest.fail(
            f"Not on the test database (connected to {database['NAME']!r}): "
            "mark the browser tests with @pytest.mark.django_db so that pytest-django creates "
            "it. The browser tests flush the database they run on.",
            pytrace=False,
        )
    with django_db_blocker.unblock():
        snapshot = database_snapshot()
        media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("browser-media"))
        media.enable()
        server = None
        try:
            DemoLoader().load()
            server = LiveServer("127.0.0.1:0")
            server._live_server_modified_settings.enable()
            yield DemoSite(url=server.url, articles=demo_articles())
        finally:
            if server is not None:
                server._live_server_modified_settings.disable()
                server.stop()
            try:
                restore_database(snapshot)
            finally:
                media.disable()
            restored = database_snapshot()
            if restored != snapshot:
                pytest.fail(
                    "The browser tests left the database different from before they ran "
                    f"(model: rows before, after): {describe_difference(snapshot, restored)}",
                    pytrace=False,
                )


@pytest.fixture(scope="package")
def browser(demo_site):
    """One Chromium for the package (each test gets its own context: cookies, viewport).

    Depends on ``demo_site`` so that the database work (loading, restoring) happens while
    Playwright is not running; see ``DemoSite``.
    """
    with chromium() as browser:
        yield browser


@contextmanager
def chromium():
    """Debian's Chromium under Playwright, for as long as the block runs."""
    executable = chromium_path()
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Playwright turns the back/forward cache off; readers' browsers have it, and pages
        # restored from it must not keep a withdrawn consent (test_consent.py). No host name
        # but localhost resolves (the live server is 127.0.0.1): what the pages ask of the
        # outside world (the admin's Gravatar avatars and Wagtail's release check, a consented
        # embed) fails at once instead of waiting on whatever DNS the machine has.
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                *CHROMIUM_ARGS,
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            ],
            ignore_default_args=["--disable-back-forward-cache"],
        )
        yield browser
        browser.close()
        # Playwright runs the tests in a context of its own, and Django's connections are
        # per context: close the one the tests' transactions used while that context is
        # current, or it stays open and PostgreSQL cannot drop the test database.
        connections.close_all()


class PageProblems:
    """What went wrong while a page was open: script errors and failed same-site requests."""

    def __init__(self, page, base_url):
        self.base_url = base_url
        self.errors = []
        page.on("pageerror", self.on_page_error)
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)

    def on_page_error(self, error):
        self.errors.append(f"script error: {error}")

    def on_request_failed(self, request):
        # ERR_ABORTED: the page was left before the request finished (a lazy image, say).
        if request.url.startswith(self.base_url) and request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def on_response(self, response):
        if response.url.startswith(self.base_url) and response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def new_context(browser, demo_site):
    """Opens browser contexts on the live server (``base_url`` set); closes them afterwards.

    Each page opened in them is watched: a script error or a failed request to the server
    (404 image, 500 page...) fails the test.
    """
    contexts, watched = [], []

    def open_context(**options):
        options.setdefault("viewport", VIEWPORTS["desktop"])
        context = browser.new_context(base_url=demo_site.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", lambda page: watched.append(PageProblems(page, demo_site.url)))
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    problems = [error for watcher in watched for error in watcher.errors]
    if problems:
        pytest.fail("Problems while the pages were open:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_context):
    """A fresh tab (its own cookies) at desktop size, on the live server."""
    return new_context().new_page()


def png_size(path):
    """(width, height) from a PNG's header."""
    with open(path, "rb") as file:
        header = file.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])
