"""Known devices: browsers a person logged in with before, and the 429 of a login lockout.

After a successful login with a password, the browser gets ``ukiyo_device``: a signed,
HttpOnly cookie naming the user and a random id. Failed logins from that browser count for
that browser alone (``compat.allauth``), so guesses from elsewhere, however many addresses
they come from, never lock the owner out of a browser they already use. The cookie is
strictly necessary for the security of the login the person asked for: it needs no consent.
"""

import secrets
from functools import wraps

from django.conf import settings
from django.core import signing
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

DEVICE_COOKIE = "ukiyo_device"
DEVICE_SALT = "ukiyo.accounts.device"
# A device stays known for a year after its last password login.
DEVICE_MAX_AGE = 365 * 24 * 60 * 60


def remember_device(response, request, user):
    """Mark the browser as one of ``user``'s known devices (a new id at each login)."""
    value = signing.dumps([user.pk, secrets.token_urlsafe(12)], salt=DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_MAX_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def known_device(request, user):
    """The id of the browser making ``request`` when it is a known device of ``user``."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value or len(value) > 200:
        return None
    try:
        pk, device = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return device if pk == user.pk and isinstance(device, str) else None


def login_view(view):
    """A login view (reader, admin, re-authentication) with ukiyo's lockout and devices.

    A form refused because a failed-login limit is reached (``request.login_retry_after``,
    set by the adapter) answers 429 with ``Retry-After``: the same page, with the message in
    the reader's language and the password reset link. A successful password login marks
    the browser as a known device.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        was_authenticated = request.user.is_authenticated
        response = view(request, *args, **kwargs)
        seconds = getattr(request, "login_retry_after", None)
        if seconds is not None and response.status_code in (200, 400):
            response.status_code = 429
            response["Retry-After"] = str(max(1, seconds))
            if isinstance(response, TemplateResponse) and response.context_data is not None:
                response.context_data["login_locked"] = True
            add_never_cache_headers(response)
        elif request.user.is_authenticated and not was_authenticated:
            remember_device(response, request, request.user)
        return response

    return wrapped
