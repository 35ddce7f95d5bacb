from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from wagtail.models import Page


class APILocaleMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware``, adapted to URLs outside the language prefix.

    - With page URLs in ``i18n_patterns``, ``LocaleMiddleware`` answers a 404 by redirecting to
      the language-prefixed path (``/api/v2/nope`` → ``/ja/api/v2/nope`` → an HTML 404). API
      clients must get the API's own JSON 404 instead, and the admin its own pages.
    - API output depends on the content's language, never on the caller's ``Accept-Language``
      or language cookie: the same URL gives the same JSON to everyone, so it caches. A v3
      page detail view runs in that page's language, so its rich-text links resolve to pages of
      its own language (v2 does the same in its serializer, for every page it returns).
    """

    UNPREFIXED = ("/api/", "/admin/", "/django-admin/", "/documents/", "/media/", "/static/")
    V3_PAGE_DETAIL = "/api/v3/pages/"

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        page_id = view_kwargs.get("page_id") or view_kwargs.get("pk")
        if not page_id or not request.path_info.startswith(self.V3_PAGE_DETAIL):
            return
        language = (
            Page.objects.filter(pk=page_id).values_list("locale__language_code", flat=True).first()
        )
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        if request.path_info.startswith(self.UNPREFIXED):
            return response
        return super().process_response(request, response)
