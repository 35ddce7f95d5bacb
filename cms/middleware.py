from django.middleware.locale import LocaleMiddleware


class APILocaleMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware``, minus the language redirect for non-page URLs.

    With page URLs in ``i18n_patterns``, ``LocaleMiddleware`` answers a 404 by redirecting to
    the language-prefixed path (``/api/v2/nope`` → ``/ja/api/v2/nope`` → an HTML 404). API
    clients must get the API's own JSON 404 instead, and the admin its own pages.
    """

    UNPREFIXED = ("/api/", "/admin/", "/django-admin/", "/documents/", "/media/", "/static/")

    def process_response(self, request, response):
        if request.path_info.startswith(self.UNPREFIXED):
            return response
        return super().process_response(request, response)
