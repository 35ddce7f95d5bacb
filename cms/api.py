"""The headless API: Wagtail API v2 (``/api/v2/``) and v3 (``/api/v3/``).

v2 is the stable delivery API; v3 is Wagtail 8's django-ninja API with its OpenAPI document.
Both are mounted outside ``i18n_patterns``: an API path never carries a language prefix, the
language of the content is chosen with ``?locale=``.
"""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.utils import translation
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.api import api as api_v3
from wagtail.api.v3.errors import problem_response
from wagtail.api.validators import SiteFilterValidator
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Locale, Page, Site

import changes.api  # noqa: F401 (adds v3's /changes/)
import cms.api_writes  # noqa: F401 (v3 writes: block ids, 422 paths, If-Match)
import news.api_v3  # noqa: F401 (adds v3's categories and authors)
from cms.api_access import can_read
from cms.api_listings import ListingFiltersMixin  # also adds v3's /articles/
from news.api import AuthorsEndpoint, CategoriesEndpoint
from news.models import ArticlePage


class PageInItsLanguageSerializer(PageSerializer):
    """Serialises each page in its own language.

    Rich-text links to other pages then resolve to their translations in the page's language,
    whatever language the request happens to carry.
    """

    def to_representation(self, instance):
        # Blocks find their page in the context, as in Wagtail's templates: citations resolve
        # to its references (API v3 passes it the same way, see news/api_types.py).
        self.context["page"] = instance
        with translation.override(instance.locale.language_code):
            return super().to_representation(instance)


def page_at_html_path(request, html_path, site=None):
    """The page the reader site shows at ``html_path``, or None.

    Reader URLs start with a language (``/ja/articles/…``, ``/en/articles/…``), which Wagtail's
    own lookup (both APIs) takes for the first page slug under the default home, so it never
    finds anything. The prefix chooses that language's home instead; a path without one is
    looked up under the site's root page (the source language), as Wagtail does.
    """
    site = site or Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page
    components = [component for component in html_path.split("/") if component]
    if components and components[0].lower() in {code for code, _ in settings.LANGUAGES}:
        locale = Locale.objects.filter(language_code=components.pop(0).lower()).first()
        root = root.get_translation_or_none(locale) if locale else None
        if root is None:
            return None
    try:
        page, _args, _kwargs = root.specific.route(request, components)
    except Http404:
        return None
    return page


def prefetch_live_translations(pages):
    """Fill ``live_translations`` of every listed page with one query for all of them."""
    keys = {page.translation_key for page in pages}
    translations = {}
    for page in (
        Page.objects.filter(translation_key__in=keys).live().public().select_related("locale")
    ):
        translations.setdefault(page.translation_key, {})[page.locale.language_code] = page
    for page in pages:
        page.__dict__["live_translations"] = translations.get(page.translation_key, {})


class PagesEndpoint(ListingFiltersMixin, PagesAPIViewSet):
    """Wagtail's pages endpoint, with articles fetched in a fixed number of queries, article
    filters and an opt-in fallback language (``cms.api_listings``)."""

    base_serializer_class = PageInItsLanguageSerializer
    filter_backends = ListingFiltersMixin.with_listing_filters(PagesAPIViewSet.filter_backends)
    known_query_parameters = (
        PagesAPIViewSet.known_query_parameters | ListingFiltersMixin.known_query_parameters
    )

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is ArticlePage:
            queryset = queryset.with_details()
        return queryset

    def paginate_queryset(self, queryset):
        pages = super().paginate_queryset(queryset)
        if self._lists("alternates"):
            pages = list(pages)
            prefetch_live_translations(pages)
        if queryset.model is ArticlePage and self._lists("body"):
            # Convert every listed body at once, so the images inside all of them are read in
            # one query instead of one per article.
            pages = list(pages)
            stream_block = ArticlePage._meta.get_field("body").stream_block
            bodies = stream_block.bulk_to_python([page.body.raw_data for page in pages])
            for page, body in zip(pages, bodies, strict=True):
                page.body = body
        return pages

    def _lists(self, name):
        fields = {field.strip() for field in self.request.GET.get("fields", "").split(",")}
        return name in fields or ("*" in fields and f"-{name}" not in fields)

    def find_object(self, queryset, request):
        if "html_path" in request.GET:
            page = page_at_html_path(request, request.GET["html_path"])
            if page is not None and queryset.filter(id=page.id).exists():
                return page
            if "id" not in request.GET:
                return None
        return super().find_object(queryset, request)

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
api_router.register_endpoint("categories", CategoriesEndpoint)
api_router.register_endpoint("authors", AuthorsEndpoint)


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


def _valid_security(get_openapi_schema):
    """Wagtail 8.0.1 declares anonymous access as a security scheme ``{"type": "http"}``
    without the ``scheme`` OpenAPI requires, so validators and code generators reject the
    whole document. OpenAPI's own way to say "a token is optional" is an empty requirement
    ``{}`` next to the token's: the scheme is dropped and its uses become ``{}``.
    """

    def schema(*args, **kwargs):
        # The contract is written for developers, in English, whatever the site's language:
        # field titles and descriptions come from translatable model labels.
        # Its descriptions stay lazy until the document is written out: write them now.
        with translation.override("en"):
            document = json.loads(
                json.dumps(get_openapi_schema(*args, **kwargs), cls=DjangoJSONEncoder)
            )
        schemes = document.get("components", {}).get("securitySchemes", {})
        anonymous = {name for name, scheme in schemes.items() if scheme == {"type": "http"}}
        for name in anonymous:
            del schemes[name]
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "security" in operation:
                    operation["security"] = [
                        {} if set(requirement) & anonymous else requirement
                        for requirement in operation["security"]
                    ]
        return document

    return schema


# ninja's openapi.json view calls the instance's method: wrapped once, at import.
api_v3.get_openapi_schema = _valid_security(api_v3.get_openapi_schema)


def find_by_reader_path(request):
    """A redirect for ``/api/v3/pages/find/?html_path=/<lang>/…``, or None to go on.

    Wagtail's v3 find view is a django-ninja function that cannot be extended, so
    ``ReaderPathLookupMiddleware`` asks this first: a language-prefixed ``html_path`` becomes
    the page's ``id`` and the request goes on to Wagtail's view (``find/?id=…``), which still
    decides who may see the page. Any other request is Wagtail's view's alone.
    """
    html_path = request.GET.get("html_path", "")
    first = next((part for part in html_path.split("/") if part), "").lower()
    if first not in {code for code, _ in settings.LANGUAGES}:
        return None
    try:
        site = SiteFilterValidator(site=request.GET.get("site"), request=request).site_obj
    except PydanticValidationError:
        return None  # an unknown ?site=: Wagtail's view explains it
    page = page_at_html_path(request, html_path, site) if site else None
    # A private page's id must not show in the redirect: a page the caller may not read is
    # not published for them.
    if page is None or not can_read(request, page):
        return JsonResponse({"detail": f"No page is published at {html_path}."}, status=404)
    query = request.GET.copy()
    query.pop("html_path")
    query["id"] = str(page.pk)
    return HttpResponseRedirect(f"{request.path}?{urlencode(query, doseq=True)}")


def api_not_found(request):
    """Any other path under ``/api/``: a JSON 404, never an HTML page or a redirect."""
    return JsonResponse({"message": "Not found: no API endpoint at this path."}, status=404)
