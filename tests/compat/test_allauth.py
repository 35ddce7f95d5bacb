"""compat.allauth: failed logins counted per account."""

import inspect

import pytest
from allauth.account.adapter import DefaultAccountAdapter, get_adapter


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
def test_ukiyos_key_names_the_account_whatever_the_host(rf, settings):
    settings.ALLOWED_HOSTS = ["news.example"]
    adapter = get_adapter()
    keys = {
        adapter._get_login_attempts_cache_key(rf.get("/", HTTP_HOST=host), email=login)
        for host in ("news.example", "news.example.:443")
        for login in ("nobody@example.org", " Nobody@Example.org ")
    }
    assert keys == {"login:nobody@example.org"}
