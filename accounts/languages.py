"""The reader's language outside a page: after login, in the cookie, in e-mails."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def site_language(code):
    """``code`` if the site speaks it, else the site's default language."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def current_language():
    """The language of the page being served."""
    return site_language(translation.get_language())


def home_url(language):
    """The home page of ``language`` (/<language>/)."""
    with translation.override(language):
        return reverse("wagtail_serve", args=[""])


def set_language_cookie(response, language):
    """Remember ``language`` the way Django's set_language view does: the cookie that
    LocaleMiddleware reads when a reader opens / without a language prefix."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
