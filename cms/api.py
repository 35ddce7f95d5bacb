"""The headless API: Wagtail API v2 (``/api/v2/``) and v3 (``/api/v3/``).

v2 is the stable delivery API; v3 is Wagtail 8's django-ninja API with its OpenAPI document.
Both are mounted outside ``i18n_patterns``: an API path never carries a language prefix, the
language of the content is chosen with ``?locale=``.
"""

import json

from django.http import JsonResponse
from django.utils import translation
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.api import api as api_v3
from wagtail.api.v3.errors import problem_response
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from news.models import ArticlePage


class PageInItsLanguageSerializer(PageSerializer):
    """Serialises each page in its own language.

    Rich-text links to other pages then resolve to their translations in the page's language,
    whatever language the request happens to carry.
    """

    def to_representation(self, instance):
        with translation.override(instance.locale.language_code):
            return super().to_representation(instance)


class PagesEndpoint(PagesAPIViewSet):
    """Wagtail's pages endpoint, with articles fetched in a fixed number of queries."""

    base_serializer_class = PageInItsLanguageSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is ArticlePage:
            queryset = queryset.with_details()
        return queryset

    def paginate_queryset(self, queryset):
        pages = super().paginate_queryset(queryset)
        if queryset.model is ArticlePage and self._lists_bodies():
            # Convert every listed body at once, so the images inside all of them are read in
            # one query instead of one per article.
            pages = list(pages)
            stream_block = ArticlePage._meta.get_field("body").stream_block
            bodies = stream_block.bulk_to_python([page.body.raw_data for page in pages])
            for page, body in zip(pages, bodies, strict=True):
                page.body = body
        return pages

    def _lists_bodies(self):
        fields = {field.strip() for field in self.request.GET.get("fields", "").split(",")}
        return "body" in fields or ("*" in fields and "-body" not in fields)

    def get_object(self):
        # Wagtail's get_serializer_class() calls get_object() again: fetch the article once.
        if not hasattr(self, "_article"):
            page = super().get_object()
            if isinstance(page, ArticlePage):
                page = ArticlePage.objects.with_details().get(pk=page.pk)
            self._article = page
        return self._article


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesEndpoint)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)


def _query_validation_errors(wagtail_handler):
    """v3 answers a malformed query string with 400, like v2; invalid bodies stay 422.

    A GET has no body, so every validation error it raises is about its query parameters.
    """

    def handler(request, exc):
        response = wagtail_handler(request, exc)
        if request.method not in ("GET", "HEAD"):
            return response
        errors = json.loads(response.content).get("errors", [])
        return problem_response(status=400, detail="Invalid query parameters", errors=errors)

    return handler


# Wrap the handlers Wagtail registered (ninja keeps them in ``_exception_handlers``).
for _error in (NinjaValidationError, PydanticValidationError):
    api_v3.add_exception_handler(
        _error, _query_validation_errors(api_v3._exception_handlers[_error])
    )


def api_not_found(request):
    """Any other path under ``/api/``: a JSON 404, never an HTML page or a redirect."""
    return JsonResponse({"message": "Not found: no API endpoint at this path."}, status=404)
