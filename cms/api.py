"""The headless API: Wagtail API v2 (``/api/v2/``) and v3 (``/api/v3/``).

v2 is the stable delivery API; v3 is Wagtail 8's django-ninja API with its OpenAPI document.
Both are mounted outside ``i18n_patterns``: an API path never carries a language prefix, the
language of the content is chosen with ``?locale=``.
"""

from django.http import JsonResponse
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from news.models import ArticlePage


class PagesEndpoint(PagesAPIViewSet):
    """Wagtail's pages endpoint, with articles fetched in a fixed number of queries."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is ArticlePage:
            queryset = queryset.with_details()
        return queryset

    def get_object(self):
        page = super().get_object()
        if isinstance(page, ArticlePage):
            page = ArticlePage.objects.with_details().get(pk=page.pk)
        return page


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesEndpoint)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)


def api_not_found(request, path=""):
    """Any other path under ``/api/``: a JSON 404, never an HTML page or a redirect."""
    return JsonResponse({"message": "Not found: no API endpoint at this path."}, status=404)
