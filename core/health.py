"""Health checks for load balancers and orchestrators, and what counts as a database outage.

- ``/healthz``: the process is alive and answers. Nothing else is looked at, so a database
  outage never makes an orchestrator restart every server at once.
- ``/readyz``: the process can serve readers: each check of ``UKIYO_READINESS_CHECKS``
  passes within ``UKIYO_READINESS_TIMEOUT`` seconds. A load balancer sends readers elsewhere
  while it answers 503.

Both are answered by ``core.middleware.HealthCheckMiddleware``, first of all middleware:
no host check, HTTPS redirect, page cache, language, session, CSRF or request log applies
to them (docs/deployment.md, "Operations").

A check is a function without arguments that raises when its service cannot be used; the
settings name it by dotted path under the name it has in ``/readyz``'s JSON. Checks run at
once, each in a thread of its own, so that one that hangs (a firewall that drops packets)
costs the timeout and no more; a check that outlives it finishes in the background.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.utils.module_loading import import_string

from core import sharedcache

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
# The key the cache check writes and reads back, in each cache.
CACHE_PROBE_KEY = "ukiyo-readiness-probe"


# The errors that say the database cannot be reached or used for now.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(error):
    """Whether ``error`` says the database cannot be reached or used for now: it refuses
    connections, restarts, is failing over, closed this connection or cancelled the query.
    Such a request may succeed when tried again; the reader is told so (503, Retry-After)."""
    return isinstance(error, UNAVAILABLE_ERRORS)


def check_database():
    """A query on a connection of its own to the default database (the primary)."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def check_cache():
    """Every cache (``CACHES``: the default one and the page cache) keeps a value and gives
    it back. Strictly: a shared Redis out of reach, which pages take for an empty cache,
    fails the check with ``CacheUnavailable`` (``core.sharedcache``)."""
    with sharedcache.strict():
        for alias in settings.CACHES:
            cache = caches[alias]
            token = str(time.monotonic_ns())
            try:
                cache.set(CACHE_PROBE_KEY, token, 30)
                if cache.get(CACHE_PROBE_KEY) != token:
                    raise RuntimeError(f"the cache {alias!r} did not give back what it was given")
            finally:
                cache.close()


class StorageUnavailable(Exception):
    pass


def check_storage():
    """The storage of uploaded images and documents (the bucket, or ``MEDIA_ROOT``) can be
    used: a server without it can take no upload nor make a rendition
    (``core.storage.reachable``)."""
    # Here, not at start-up: the storage module brings boto3, which a site without a bucket
    # never needs.
    from core import storage

    if not storage.reachable(timeout=settings.UKIYO_READINESS_TIMEOUT):
        raise StorageUnavailable("the media storage did not answer (see core.storage)")


class Probe(threading.Thread):
    def __init__(self, name, check):
        super().__init__(name=f"readiness-{name}", daemon=True)
        self.check = check
        self.error = None
        self.seconds = None

    def run(self):
        started = time.monotonic()
        try:
            self.check()
        except Exception as error:  # any failure makes the check fail
            self.error = error
        finally:
            self.seconds = time.monotonic() - started


def readiness():
    """``(ready, results)``: each check's result, ``{"ok": bool, "ms": int}`` with ``error``
    (the exception's class, or ``"timeout"``) when it failed."""
    timeout = settings.UKIYO_READINESS_TIMEOUT
    probes = {
        name: Probe(name, import_string(path))
        for name, path in settings.UKIYO_READINESS_CHECKS.items()
    }
    deadline = time.monotonic() + timeout
    for probe in probes.values():
        probe.start()
    results = {}
    for name, probe in probes.items():
        probe.join(max(deadline - time.monotonic(), 0))
        if probe.is_alive():
            results[name] = {"ok": False, "ms": round(timeout * 1000), "error": "timeout"}
            logger.warning("Readiness check %s: no answer within %s s", name, timeout)
        elif probe.error is not None:
            error = probe.error
            results[name] = {
                "ok": False,
                "ms": round(probe.seconds * 1000),
                "error": type(error).__name__,
            }
            # The error's text (host names, user names) goes to the log, not to the answer:
            # the path may be reachable from outside.
            logger.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
        else:
            results[name] = {"ok": True, "ms": round(probe.seconds * 1000)}
    return all(result["ok"] for result in results.values()), results


def no_store(response):
    # Never kept by a CDN, a proxy or a browser: a kept "ready" would hide an outage.
    response["Cache-Control"] = "no-store"
    return response


def liveness_response():
    return no_store(HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8"))


def readiness_response():
    ready, checks = readiness()
    return no_store(
        JsonResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status=200 if ready else 503,
        )
    )
