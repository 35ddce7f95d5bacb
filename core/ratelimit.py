"""A fixed-window rate limit per client address, counted in the shared Django cache."""

import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured


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
    """

    def __init__(self, scope, client, count, seconds):
        self.count, self.seconds = count, seconds
        key = f"ukiyo:{scope}:{client}"
        self.counter_key = f"{key}:count"
        self.ends_key = f"{key}:ends"

    def hit(self):
        """Count one; False when that one is over the limit."""
        if cache.add(self.counter_key, 0, self.seconds):
            cache.set(self.ends_key, time.time() + self.seconds, self.seconds)
        try:
            count = cache.incr(self.counter_key)
        except ValueError:  # the window closed between add() and incr()
            cache.set(self.counter_key, 1, self.seconds)
            count = 1
        return count <= self.count

    def retry_after(self):
        """Whole seconds until the window closes, for ``Retry-After``."""
        ends = cache.get(self.ends_key) or time.time() + self.seconds
        return max(1, round(ends - time.time()))
