"""Account actions while the shared cache cannot count them: 503, not 500."""

import logging

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import escape_leading_slashes

from core.sharedcache import CacheUnavailable

logger = logging.getLogger(__name__)


class RateLimitOutageMiddleware:
    """An account action allauth must count (a sign-in, a password prompt, a password-reset
    e-mail, a sign-up) while the shared cache is out of reach is refused (``AccountsConfig
    .ready``): this answers the refusal with 503 and ``Retry-After``, the seconds until the
    cache is asked again, on a page in the reader's language that leads back to the form.

    Nothing is sent or checked meanwhile, a password least of all: a guess no limit counts is
    a free one. Those already signed in stay signed in (sessions live in the database).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CacheUnavailable):
            return None
        logger.warning(
            "%s %s refused: it cannot be counted (%s).", request.method, request.path, exception
        )
        context = {"form_url": escape_leading_slashes(request.get_full_path())}
        response = render(request, "accounts/paused.html", context, status=503)
        response["Retry-After"] = str(exception.retry_after)
        add_never_cache_headers(response)
        return response
