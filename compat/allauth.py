"""django-allauth: failed logins counted per account, whatever the Host header.

allauth counts failed logins (``ACCOUNT_RATE_LIMITS["login_failed"]``) under a key built by
the private ``DefaultAccountAdapter._get_login_attempts_cache_key``: the site's domain (from
the request's Host header when ``django.contrib.sites`` is not installed) and the login as
typed. Every variant of the Host header (another port, a trailing dot) therefore counts on its
own, and an account named by e-mail and by user name counts twice.

Upstream: https://github.com/pennersr/django-allauth/issues/3584 (the maintainer confirms the
key can only be changed by overriding this private method). The rate limit settings choose
the rate and the scope (ip/key), not the key.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model


class LoginAttemptsPerAccountMixin:
    """For the account adapter: failed logins are counted per account (or per unknown login)."""

    def _get_login_attempts_cache_key(self, request, **credentials):
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        users = get_user_model().objects.all()
        if "email" in credentials:
            address = EmailAddress.objects.filter(email__iexact=login).first()
            user = address.user if address else users.filter(email__iexact=login).first()
        else:
            field = f"{get_user_model().USERNAME_FIELD}__iexact"
            user = users.filter(**{field: login}).first() if login else None
        return f"user:{user.pk}" if user else f"login:{login}"
