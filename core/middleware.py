"""Middleware every request goes through: the language of the URL, and who may cache a page.

What only the API needs runs as decorators of the API's own views (``api.views``), not here.
"""

from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils.cache import patch_cache_control


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
