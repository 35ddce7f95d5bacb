"""Middleware every request goes through: the language of the URL, the size of a request
body, and who may cache a page.

What only the API needs runs as decorators of the API's own views (``api.views``), not here.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import get_resolver, get_urlconf
from django.utils.cache import patch_cache_control

security_logger = logging.getLogger("django.security.RequestDataTooBig")


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's ``LocaleMiddleware``, for a site whose pages live under a language prefix and
    whose API, admin and files do not.

    With page URLs in ``i18n_patterns``, Django answers a 404 by redirecting to the
    language-prefixed path (``/api/v2/nope`` → ``/ja/api/v2/nope`` → an HTML 404), and marks
    every answer as varying with ``Accept-Language``. Paths outside the prefix keep their own
    answers: the API its JSON 404 and answers that are the same whatever the caller's
    language (so they cache), the admin its own pages.
    """

    UNPREFIXED = ("/api/", "/admin/", "/documents/", "/media/", "/static/")

    def process_response(self, request, response):
        if request.path_info.startswith(self.UNPREFIXED):
            return response
        return super().process_response(request, response)


class PrivateResponseMiddleware:
    """Keep shared caches (CDNs, proxies) from storing a page that belongs to one visitor.

    Pages are the same for every anonymous visitor and may be cached. Three things make a
    response personal: a logged-in reader (their name, saved state, e-mail address), a CSRF
    token in a form (tied to this visitor's cookie), and a one-time message ("Your account
    has been deleted."). ``Vary: Cookie`` alone is not enough: many CDNs key on the URL only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        messages = getattr(request, "_messages", None)
        user = getattr(request, "user", None)
        if (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or (messages is not None and messages.used)
            or (user is not None and user.is_authenticated)
        ):
            patch_cache_control(response, private=True)
        return response


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than the site reads, before anything reads it.

    Django limits the form fields it reads (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams any
    number of files of any size to disk first, even to a form that takes none. Public pages
    take no files: their bodies may not exceed ``DATA_UPLOAD_MAX_MEMORY_SIZE``. The admin
    takes uploads: its bodies may not exceed ``UKIYO_MAX_REQUEST_BODY`` (an upload at its
    limit, plus the form); a smaller file over the upload limit reaches the upload form, which
    says what the limit is. The answer is the site's 400 handler given ``RequestDataTooBig``
    (``cms.views.bad_request``: a 413 page in the reader's language), as when Django itself
    finds a form too large, and also under DEBUG. The API answers its own requests in its own
    error shapes, so its paths are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith("/api/"):
            if path.startswith("/admin/"):
                limit = settings.UKIYO_MAX_REQUEST_BODY
            else:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and declared_length(request) > limit:
                exception = RequestDataTooBig(
                    f"Request body of {declared_length(request)} bytes exceeds {limit}."
                )
                security_logger.warning(str(exception), extra={"request": request})
                handler = get_resolver(get_urlconf()).resolve_error_handler(400)
                return handler(request, exception)
        return self.get_response(request)


def declared_length(request):
    """The body's length as the client declared it (0 when missing or malformed)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0
