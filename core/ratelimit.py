"""A fixed-window rate limit per client address, counted in the shared Django cache."""

import logging
import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from .sharedcache import CacheUnavailable, strict

logger = logging.getLogger(__name__)

# When each limit last said it could not count (one warning a minute per limit and process).
_warned = {}


def parse_rate(value, setting):
    """``"20/60"`` → ``(20, 60)``: at most 20 in 60 seconds. Empty or ``off``: None (no limit).

    ``setting`` names the setting in the error a wrong value raises.
    """
    if value is None or str(value).strip().lower() in ("", "off"):
        return None
    try:
        count, seconds = (int(part) for part in str(value).split("/"))
    except ValueError:
        count = seconds = 0
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(
            f"{setting} must be 'count/seconds', such as '20/60', or 'off', not {value!r}."
        )
    return count, seconds


class FixedWindow:
    """How often one client has done one thing in the current window.

    The window opens with the first counted hit and lasts ``seconds``. Each hit is one atomic
    increment of a shared counter, so that requests arriving together cannot all pass a check
    made before any of them was counted.

    While the shared cache is out of reach (``core.sharedcache``), nothing can be counted and
    every hit passes: these limits (searches, contact messages) keep readers' use of the site
    within what it can serve, and what gets past them during an outage is bounded by the
    outage, seen, and undone (messages deleted); refusing would take the search and the
    contact form away from every reader meanwhile. Logged once a minute per limit. A limit
    that guards something no one could undo, such as a password, fails closed instead
    (failed logins: ``compat.allauth``).
    """

    def __init__(self, scope, client, count, seconds):
        self.scope = scope
        self.count, self.seconds = count, seconds
        key = f"ukiyo:{scope}:{client}"
        self.counter_key = f"{key}:count"
        self.ends_key = f"{key}:ends"

    def hit(self):
        """Count one; False when that one is over the limit (True when it cannot count)."""
        try:
            with strict():
                return self._count() <= self.count
        except CacheUnavailable as error:
            now = time.monotonic()
            if now - _warned.get(self.scope, -60) >= 60:
                _warned[self.scope] = now
                logger.warning("The %s rate limit is not counted: %s", self.scope, error)
            return True

    def _count(self):
        if cache.add(self.counter_key, 0, self.seconds):
            cache.set(self.ends_key, time.time() + self.seconds, self.seconds)
        try:
            return cache.incr(self.counter_key)
        except ValueError:  # the window closed between add() and incr()
            cache.set(self.counter_key, 1, self.seconds)
            return 1

    def retry_after(self):
        """Whole seconds until the window closes, for ``Retry-After``."""
        ends = cache.get(self.ends_key) or time.time() + self.seconds
        return max(1, round(ends - time.time()))
