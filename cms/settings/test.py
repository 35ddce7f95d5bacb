"""The test suite: PostgreSQL from DATABASE_URL (scripts/with-postgres), fast hashing."""

import os

from .base import *  # noqa: F403
from .environment import OFFLINE

DEBUG = False
SECRET_KEY = "ukiyo-tests-only"  # noqa: S105  (the test suite's own key, never deployed)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILAPI_BASE_URL = "http://testserver"

# The manifest storage needs collectstatic; tests render templates without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One folder per process of a parallel run (pytest-xdist names each in PYTEST_XDIST_WORKER), as
# each has its own test database: two processes storing the same file name never meet.
MEDIA_ROOT = BASE_DIR / "test-output" / "media" / os.environ.get("PYTEST_XDIST_WORKER", "")  # noqa: F405
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends"}}
# Every test client has one address: tests of the search rate limit set their own.
UKIYO_SEARCH_RATE_LIMIT = "off"
# Static files come from the finders; no collectstatic folder is needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# One database, whatever the environment names as a read replica: the replica's tests
# (tests/replica/) make a primary and a standby of their own.
DATABASES.pop("replica", None)  # noqa: F405

# Tests never call a machine translation service, whatever the environment holds.
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {"CLASS": OFFLINE}
# Nor purge a cache: the tests that purge Varnish (tests/cdn/) name their own.
WAGTAILFRONTENDCACHE = {}
# The page cache's tests run with the local copies production has over Redis, so that every
# invalidation test also proves a process's own copy goes stale.
UKIYO_PAGE_CACHE_LOCAL_ENTRIES = 50
