"""The cache every server process shares (Redis), and what ukiyo does while it is out of reach.

With ``CACHE_URL=redis://...`` (and ``PAGE_CACHE_URL``) the processes keep in Redis what they
share: readers' pages and their tags, the pieces every page reads, the API's kept answers,
counts of long lists, and the rate limits' counters. Django's own ``RedisCache`` raises on
every call while Redis is stopped, unreachable or hung, so every page would answer 500; and a
hung Redis would hold each request for as long as the socket waits.

``RedisCache`` here is Django's, with a defined behaviour for that case:

- A read finds nothing and a write keeps nothing: pages, API answers and counts are made from
  the database, as on a miss, and nothing is kept until Redis answers again.
- ``incr`` and ``decr`` raise ``CacheUnavailable``: a counter has no value to make up.
- Inside ``strict()``, every call raises ``CacheUnavailable``. Code that must know whether the
  cache did what it asked uses it: a rate limit, to let the request through or refuse it (each
  limit says which, and why); the page cache, to know that a change could not be recorded; a
  readiness check, to see Redis at all (without ``strict()`` an unreachable cache is a miss).

After a failure a process stops asking Redis for ``retry_interval`` seconds (``OPTIONS``;
``CACHE_RETRY_INTERVAL``) and logs one warning: a hung Redis costs one socket timeout per
interval, not one per call. Short socket timeouts (``socket_timeout`` and
``socket_connect_timeout``, redis-py's connection options; a query parameter of the URL wins)
bound that one wait. docs/configuration.md, "Redis".
"""

import contextvars
import logging
import math
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Seconds a socket may wait for Redis: to connect, and for each answer. Redis answers in well
# under a millisecond on a local network; half a second is a Redis that is not answering.
SOCKET_TIMEOUT = 0.5
# Seconds a process works without Redis after it failed to reach it, before it asks again.
RETRY_INTERVAL = 5.0

# What an unreachable Redis raises (a timeout included); a refused command (a wrong key
# type, memory full) is a mistake to see, not an outage.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class CacheUnavailable(Exception):
    """The shared cache could not be reached; ``retry_after``: seconds until it is tried
    again."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


_strict = contextvars.ContextVar("ukiyo_shared_cache_strict", default=False)


@contextmanager
def strict():
    """Inside, a call the shared cache cannot carry out raises ``CacheUnavailable`` instead of
    finding nothing or keeping nothing. No effect on other caches (``locmem://``, ``db://``)."""
    token = _strict.set(True)
    try:
        yield
    finally:
        _strict.reset(token)


def is_strict():
    """Whether the caller is inside ``strict()``."""
    return _strict.get()


class Outage:
    """Whether one Redis is out of reach for this process, and until when it is not asked.

    Shared by every thread of the process (each has its own connections: Django's caches are
    per thread), so that one failure spares the others the wait.
    """

    def __init__(self, name):
        self.name = name
        self.until = 0.0
        self.began = None
        self._lock = threading.Lock()

    def seconds_left(self):
        """Seconds until Redis is asked again (0: ask it now)."""
        return max(0.0, self.until - time.monotonic())

    def failed(self, error, interval):
        with self._lock:
            self.until = time.monotonic() + interval
            if self.began is not None:
                return
            self.began = time.monotonic()
        logger.warning(
            "Redis at %s cannot be reached (%s): pages and API answers are made without the "
            "cache, and Redis is asked again every %g seconds.",
            self.name,
            error,
            interval,
        )

    def answered(self):
        if self.began is None:
            return
        with self._lock:
            began, self.began = self.began, None
        if began is not None:
            logger.warning(
                "Redis at %s answers again, after %.1f seconds.",
                self.name,
                time.monotonic() - began,
            )


_outages = {}
_outages_lock = threading.Lock()


def outage_of(servers):
    """The one ``Outage`` of the Redis at ``servers`` (its URLs) in this process."""
    key = tuple(servers)
    with _outages_lock:
        if key not in _outages:
            _outages[key] = Outage(",".join(_without_credentials(url) for url in servers))
        return _outages[key]


def _without_credentials(location):
    parts = urlsplit(location)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


_RAISE = object()


class RedisCache(DjangoRedisCache):
    """Django's ``RedisCache`` that works on without Redis (see the module's docstring).

    ``OPTIONS`` takes ``retry_interval`` (seconds; ``RETRY_INTERVAL``) besides redis-py's
    connection options; ``socket_timeout`` and ``socket_connect_timeout`` default to
    ``SOCKET_TIMEOUT``.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_interval = float(options.pop("retry_interval", RETRY_INTERVAL))
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self.outage = outage_of(self._servers)

    def _attempt(self, missing, method, *args):
        """Django's ``method`` with ``args``, or ``missing`` when Redis cannot be reached
        (``_RAISE``: raise ``CacheUnavailable``)."""
        if self.outage.until:
            seconds = self.outage.seconds_left()
            if seconds:
                return self._unavailable(missing, "not asked while it is out of reach", seconds)
        try:
            result = method(self, *args)
        except UNREACHABLE as error:
            self.outage.failed(error, self.retry_interval)
            return self._unavailable(missing, error, self.retry_interval)
        self.outage.answered()
        return result

    def _unavailable(self, missing, reason, seconds):
        if missing is _RAISE or _strict.get():
            raise CacheUnavailable(
                f"Redis at {self.outage.name}: {reason}", retry_after=max(1, math.ceil(seconds))
            )
        return missing

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, DjangoRedisCache.add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(default, DjangoRedisCache.get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(None, DjangoRedisCache.set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, DjangoRedisCache.touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(False, DjangoRedisCache.delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt({}, DjangoRedisCache.get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(False, DjangoRedisCache.has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._attempt(_RAISE, DjangoRedisCache.incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that were not set.
        return self._attempt(list(data), DjangoRedisCache.set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._attempt(None, DjangoRedisCache.delete_many, keys, version)

    def clear(self):
        return self._attempt(False, DjangoRedisCache.clear)
