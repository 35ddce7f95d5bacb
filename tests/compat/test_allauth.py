"""compat.allauth: failed logins counted per account and client."""

import inspect

import pytest
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core.internal import ratelimit

from compat.allauth import ACCOUNT_ACTION


def test_allauth_still_keys_failed_logins_with_the_private_method():
    for method in (DefaultAccountAdapter.pre_authenticate, DefaultAccountAdapter.authenticate):
        source = inspect.getsource(method)
        if "_get_login_attempts_cache_key" in source:
            break
    else:
        pytest.fail("allauth no longer calls _get_login_attempts_cache_key")


def test_allauth_still_puts_the_host_in_the_key(rf, settings):
    settings.ALLOWED_HOSTS = ["news.example"]
    key = DefaultAccountAdapter()._get_login_attempts_cache_key(
        rf.get("/", HTTP_HOST="news.example:8443"), email="Reader@Example.org"
    )
    assert key == "news.example:8443:reader@example.org"


@pytest.mark.django_db
def test_ukiyos_key_names_the_account_and_the_client_whatever_the_host(rf, settings):
    settings.ALLOWED_HOSTS = ["news.example"]
    adapter = get_adapter()
    keys = {
        adapter._get_login_attempts_cache_key(
            rf.get("/", HTTP_HOST=host, REMOTE_ADDR="2001:db8::7"), email=login
        )
        for host in ("news.example", "news.example.:443")
        for login in ("nobody@example.org", " Nobody@Example.org ")
    }
    # An IPv6 address counts by its /64, as allauth's own per-address limit does.
    assert keys == {"login:nobody@example.org:ip:2001:db8::"}


def test_allauth_still_records_the_usage_that_a_successful_login_rolls_back():
    pre = inspect.getsource(DefaultAccountAdapter.pre_authenticate)
    assert "self._login_failed_rl_usage = ratelimit.consume(" in pre
    assert "too_many_login_attempts" in pre
    authenticate = inspect.getsource(DefaultAccountAdapter.authenticate)
    assert "self._rollback_login_failed_rl_usage()" in authenticate
    reset = inspect.getsource(DefaultAccountAdapter._delete_login_attempts_cached_email)
    assert "_get_login_attempts_cache_key" in reset


def test_allauths_rate_module_still_keys_and_stores_histories_newest_first(rf):
    rate = ratelimit.parse_rate("2/5m/key")
    key = ratelimit.get_cache_key(rf.post("/"), app="a", action="b", rate=rate, key="k")
    assert key.startswith("allauth:rl:a:b:2/300.0/key:")
    allowed, history = ratelimit.apply_rate([100.0], 200.0, rate)
    assert allowed and history == [200.0, 100.0]
    # Custom actions in ACCOUNT_RATE_LIMITS are kept beside allauth's own.
    assert ratelimit.get_rates(app="allauth.account", action=ACCOUNT_ACTION)
    assert ratelimit.get_ip(rf.get("/", REMOTE_ADDR="2001:db8::1:2:3:4")) == "2001:db8::"


def test_every_allauth_rate_limit_still_counts_through_the_internal_consume():
    """``count_strictly`` wraps ``allauth.core.internal.ratelimit.consume``: the views' limits
    (``consume_or_429``, the decorator) look it up by name when they run, the forms' and the
    adapter's through modules that call it the same way, and it starts with a lock taken in
    the cache (``cache.add``), which an unreachable cache refuses."""
    from allauth.core import ratelimit as public

    assert "consume(" in inspect.getsource(ratelimit.consume_or_429)
    assert "consume_or_429(" in inspect.getsource(ratelimit.decorator)
    assert "_impl.consume(" in inspect.getsource(public.consume)
    assert "cache_lock(" in inspect.getsource(ratelimit._consume_single_rate)
    assert "cache.add(" in inspect.getsource(ratelimit.cache_lock)


def test_accounts_makes_every_allauth_limit_count_strictly():
    assert getattr(ratelimit.consume, "counts_strictly", False)
    assert ratelimit.consume.__wrapped__.__module__ == "allauth.core.internal.ratelimit"
