"""django-allauth: failed logins counted per account and client, whatever the Host header.

allauth counts failed logins (``ACCOUNT_RATE_LIMITS["login_failed"]``) under a key built by
the private ``DefaultAccountAdapter._get_login_attempts_cache_key``: the site's domain (from
the request's Host header when ``django.contrib.sites`` is not installed) and the login as
typed. Every variant of the Host header (another port, a trailing dot) therefore counts on its
own, and an account named by e-mail and by user name counts twice. And since the key names
only the account, five failures from anywhere lock the account everywhere: anyone who knows
an address can keep its owner out.

Upstream: https://github.com/pennersr/django-allauth/issues/3584 (the maintainer confirms the
key can only be changed by overriding this private method). The rate limit settings choose
the rate and the scope (ip/key), not the key; a limit that is left out for some requests
(a known device) needs ``pre_authenticate`` and its private usage record too, and the time
until a limit frees up is not exposed at all (read here from allauth's internal rate
module). tests/compat/test_allauth.py fails when any of these change.

allauth also has no word for a cache that cannot count (``count_strictly``): every limit goes
through its internal ``consume``, which takes a lock in the cache first; with no cache to take
it in, it waits a second and then answers "too many attempts", which is neither true nor
quick; allauth offers no hook for it.
"""

import functools
import math
import time

from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError

APP = "allauth.account"
# Failures for one account from every client that is not one of its known devices.
ACCOUNT_ACTION = "login_failed_account"


def seconds_until_allowed(request, action, key):
    """Seconds until ``action`` with ``key`` is allowed again for ``request`` (0: it is)."""
    now = time.time()
    wait = 0
    for rate in ratelimit.get_rates(app=APP, action=action):
        cache_key = ratelimit.get_cache_key(request, app=APP, action=action, rate=rate, key=key)
        history = cache.get(cache_key, [])  # newest first
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait)) if wait > 0 else 0


class LoginAttemptsPerAccountMixin:
    """For the account adapter: failed logins are counted per account and client.

    - ``login_failed`` counts per client address (``ip``) and per account and client
      (``key``): the client is the browser when it is one of the account's known devices
      (``known_device``), else the client's address (an IPv6 address by its /64, as allauth
      does). An attacker's failures lock the attacker's address, not the account.
    - ``login_failed_account`` counts the failures of one account from all clients that are
      not its known devices: a ceiling on guesses spread over many addresses, which a known
      device and a password reset link get past.

    When a limit refuses an attempt, ``request.login_retry_after`` holds the seconds until
    it frees up, for the view's 429 answer.
    """

    def known_device(self, request, user):
        """An id of the browser making ``request`` when ``user`` logged in with it before."""
        return None

    def login_account(self, **credentials):
        """The account a login names, as ``user:<pk>``, or ``login:<login>`` for none."""
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        users = get_user_model().objects.all()
        if "email" in credentials:
            address = EmailAddress.objects.filter(email__iexact=login).first()
            user = address.user if address else users.filter(email__iexact=login).first()
        else:
            field = f"{get_user_model().USERNAME_FIELD}__iexact"
            user = users.filter(**{field: login}).first() if login else None
        return user, f"user:{user.pk}" if user else f"login:{login}"

    def _get_login_attempts_cache_key(self, request, **credentials):
        user, account = self.login_account(**credentials)
        device = self.known_device(request, user) if user else None
        if device:
            return f"{account}:device:{device}"
        return f"{account}:ip:{ratelimit.get_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        key = self._get_login_attempts_cache_key(request, **credentials)
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            request.login_retry_after = seconds_until_allowed(request, "login_failed", key)
            raise
        if ":device:" in key:
            return
        _user, account = self.login_account(**credentials)
        usage = ratelimit.consume(request, app=APP, action=ACCOUNT_ACTION, key=account)
        if usage is None:
            # Refused before the password was checked: this attempt counts nowhere.
            self._rollback_login_failed_rl_usage()
            request.login_retry_after = seconds_until_allowed(request, ACCOUNT_ACTION, account)
            raise self.validation_error("too_many_login_attempts")
        # A successful login takes its attempt back from every count (allauth's rollback).
        self._login_failed_rl_usage.usage.extend(usage.usage)

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # After a password reset (the link proves the owner): this client's count and the
        # account's ceiling start again.
        super()._delete_login_attempts_cached_email(request, **credentials)
        _user, account = self.login_account(**credentials)
        ratelimit.clear(request, app=APP, action=ACCOUNT_ACTION, key=account)


def count_strictly(strict):
    """Every allauth rate limit (failed logins, logins, password-reset e-mails, sign-ups,
    e-mail confirmations, re-authentication) counts inside ``strict()``: a context manager in
    which a cache that cannot count raises. An attempt that cannot be counted is then refused
    by that exception at once (the view answers it), rather than let through uncounted or
    refused as "too many". Applied once; GET requests, which allauth never counts, are left
    alone.
    """
    original = ratelimit.consume
    if getattr(original, "counts_strictly", False):
        return

    @functools.wraps(original)
    def consume(*args, **kwargs):
        with strict():
            return original(*args, **kwargs)

    consume.counts_strictly = True
    ratelimit.consume = consume
