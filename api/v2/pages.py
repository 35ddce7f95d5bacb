"""``/api/v2/pages/``: Wagtail's pages endpoint, each page in its own language.

What it adds to Wagtail's:

- Each page is serialised in its own language, so rich-text links resolve to pages of that
  language whatever the request carries.
- ``find/?html_path=`` takes the paths readers see (``/ja/articles/…``, ``api.paths``).
- ``?locale=fr&fallback=en,ja`` (``api.languages``): items without a live French version come
  in the first fallback language that has one, marked in ``meta``.
- Listing filters of the domain apps (``add_listing_filter``: the article filters of
  ``news.api.listings``), applied before the search.
- A fixed number of queries: a page type whose queryset has ``with_details()`` is read with
  it (related rows and renditions at once), listed StreamFields are converted together (the
  images of every listed body in one query), and ``alternates`` are prefetched.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from wagtail.api.v2.filters import FieldsFilter, LocaleFilter, SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.serializers import PageParentField, PageSerializer
from wagtail.api.v2.serializers import StreamField as StreamFieldSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.fields import StreamField
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from api.access import (
    page_kind,
    parent_of,
    public_pages,
    public_to,
    read_page,
    read_parent_and_translations,
)
from api.kept import page_shown
from api.languages import Languages, ListingParameterError, parse_languages
from api.parts import stream_representation
from api.paths import not_published, page_at_html_path
from compat.wagtail_api import FieldsBuiltOnce, SerializerClassesMadeOnce
from core import counts
from core.sites import request_site
from core.visibility import public

from .filters import FallbackLocaleFilter, FieldsFilterBesidesListing, bad_request
from .params import RefusesUnknownParameters
from .rendering import CompactJSON

# Query parameters of a detail view that choose what it shows of the page, not which page.
OUTPUT_PARAMETERS = frozenset(["fields", "rich_text_format"])


class VisibleParentField(PageParentField):
    """Wagtail's ``meta.parent``, decided without a query.

    Wagtail asks the database whether the parent is among the pages the caller may read. The
    page itself is among them, so its parent is too when it is live, unless the page is a
    home page of the site (its parent belongs to no site): view restrictions cover whole
    subtrees, and the site's pages are its home pages' subtrees.
    """

    def get_attribute(self, instance):
        parent = parent_of(instance)
        if parent is None or not parent.live or parent.is_root():
            return None
        site = request_site(self.context["request"])
        if site is None or instance.translation_key == site.root_page.translation_key:
            return None
        return parent


class KeptStreamField(StreamFieldSerializer):
    """Wagtail's StreamField serializer, its representation kept for a page read live
    (``api.parts``)."""

    def to_representation(self, value):
        return stream_representation(
            self.context["page"], self.field_name, value, self.context, "v2"
        )


class PageInItsLanguageSerializer(FieldsBuiltOnce, PageSerializer):
    """Serialises each page in its own language.

    Rich-text links to other pages then resolve to their translations in the page's language,
    whatever language the request happens to carry.
    """

    parent = VisibleParentField(read_only=True)
    serializer_field_mapping = {
        **PageSerializer.serializer_field_mapping,
        StreamField: KeptStreamField,
    }

    def to_representation(self, instance):
        # Blocks find their page in the context, as in Wagtail's templates: citations resolve
        # to its references (API v3 passes it the same way, see api.v3.schemas).
        self.context["page"] = instance
        # The languages read once per answer: a listing of every page type holds specific
        # pages, whose locale would be one query each.
        if not instance._meta.get_field("locale").is_cached(instance):
            if "locales" not in self.context:
                self.context["locales"] = Locale.objects.in_bulk()
            instance.locale = self.context["locales"][instance.locale_id]
        with translation.override(instance.locale.language_code):
            return super().to_representation(instance)


def prefetch_live_translations(pages):
    """Fill ``live_translations`` of every listed page with one query for all of them."""
    keys = {page.translation_key for page in pages}
    translations = {}
    for page in public(Page.objects.filter(translation_key__in=keys).live()).select_related(
        "locale"
    ):
        translations.setdefault(page.translation_key, {})[page.locale.language_code] = page
    for page in pages:
        page.__dict__["live_translations"] = translations.get(page.translation_key, {})


def read_whole(page):
    """``page`` as its type's ``detail_queryset`` reads it, ready to be serialised whole."""
    detail_queryset = getattr(page.specific_class, "detail_queryset", None)
    if detail_queryset is None:
        return page.specific
    return prepared(detail_queryset().get(pk=page.pk))


def prepared(page):
    """A page read by its ``detail_queryset``, with the rest of what its answer shows (and
    that answer may be kept: ``api.kept``)."""
    page.prefetch_for_reading()
    read_parent_and_translations(page)
    page_shown(page)
    return page


def with_details(queryset):
    """``queryset.with_details()`` when the page type defines it, else the queryset."""
    details = getattr(queryset, "with_details", None)
    return details() if details is not None else queryset


class CountedOncePerChange(WagtailPagination):
    """Wagtail's pagination, with ``meta.total_count`` counted once per change of the
    content (``core.counts``): counting a language's live articles reads all of them
    (140 ms at 100,000 article pages), while the page of the listing reads twenty."""

    def paginate_queryset(self, queryset, request, view=None):
        if not isinstance(queryset, QuerySet):  # a search's results count themselves
            return super().paginate_queryset(queryset, request, view)
        return super().paginate_queryset(KeptCount(queryset), request, view)


class KeptCount:
    """A queryset whose ``count()`` is kept (``core.counts``); slicing reads the queryset."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        return counts.count(self.queryset)

    def __getitem__(self, key):
        return self.queryset[key]


class SearchRecentFirst(SearchFilter):
    """Wagtail's ``?search=``, its results by relevance as the site's search page and the v3
    cards give them: the matches among the newest pages ranked, then the older ones
    (``core.fulltext.query.recent_first``). With ``order``, when search is off or with a
    tag filter, Wagtail's own filter answers."""

    def filter_queryset(self, request, queryset, view):
        if (
            "search" not in request.GET
            or "order" in request.GET
            or not getattr(settings, "WAGTAILAPI_SEARCH_ENABLED", True)
            or getattr(queryset, "_filtered_by_tag", False)
        ):
            return super().filter_queryset(request, queryset, view)
        languages = view.requested_languages()
        if languages is not None:
            codes = [locale.language_code for locale in languages.chain]
        else:
            codes = [request.GET["locale"]] if request.GET.get("locale") else None
        return get_search_backend().search(
            request.GET["search"],
            queryset,
            operator=request.GET.get("search_operator"),
            recent_first=True,
            language_codes=codes,
        )


class PagesEndpoint(
    CompactJSON, RefusesUnknownParameters, SerializerClassesMadeOnce, PagesAPIViewSet
):
    base_serializer_class = PageInItsLanguageSerializer
    pagination_class = CountedOncePerChange
    # Query parameters read by the listing filters: Wagtail's field filters leave them alone.
    listing_parameters = frozenset(["fallback"])
    known_query_parameters = PagesAPIViewSet.known_query_parameters | listing_parameters
    filter_backends = [
        {
            FieldsFilter: FieldsFilterBesidesListing,
            LocaleFilter: FallbackLocaleFilter,
            SearchFilter: SearchRecentFirst,
        }.get(backend, backend)
        for backend in PagesAPIViewSet.filter_backends
    ]

    @classmethod
    def add_listing_filter(cls, backend, parameters):
        """Apply ``backend`` (a DRF filter backend) to listings, before the search (a search
        result cannot be filtered further); it reads the query ``parameters``. For an app's
        ``AppConfig.ready()``."""
        backends = list(cls.filter_backends)
        position = (
            backends.index(SearchRecentFirst) if SearchRecentFirst in backends else len(backends)
        )
        cls.filter_backends = [*backends[:position], backend, *backends[position:]]
        cls.listing_parameters = cls.listing_parameters | frozenset(parameters)
        cls.known_query_parameters = cls.known_query_parameters | frozenset(parameters)

    # -- the language chain --------------------------------------------------------------

    def requested_languages(self) -> Languages | None:
        if not hasattr(self, "_languages"):
            try:
                self._languages = parse_languages(
                    self.request.GET.get("locale"), self.request.GET.get("fallback")
                )
            except ListingParameterError as error:
                raise bad_request(error) from error
        return self._languages

    @staticmethod
    def _mark(item, locale_id, languages):
        # Fallback versions are marked next to ``locale`` (which stays the language the
        # content is in): ``"requested_locale": "fr", "fallback": true``.
        meta = item.setdefault("meta", {})
        meta["requested_locale"] = languages.requested.language_code
        meta["fallback"] = locale_id != languages.requested.pk

    # -- listing -------------------------------------------------------------------------

    def get_queryset(self):
        queryset = with_details(super().get_queryset())
        if self.action == "listing_view":
            # A listing that shows no StreamField leaves them in the database: an article's
            # body is most of its row, and each would be read and decoded for nothing. (One
            # shown may read the others: a body's citations read the references.)
            streams = [
                field.name
                for field in queryset.model._meta.get_fields()
                if isinstance(field, StreamField)
            ]
            if streams and not any(self._lists(name) for name in streams):
                queryset = queryset.defer(*streams)
        return queryset

    def paginate_queryset(self, queryset):
        pages = list(super().paginate_queryset(queryset))
        if self.requested_languages() is not None:
            self._listed_locales = [page.locale_id for page in pages]
        if self._lists("alternates"):
            prefetch_live_translations(pages)
        model = getattr(queryset, "model", None) or Page
        for field in model._meta.get_fields():
            if isinstance(field, StreamField) and self._lists(field.name):
                # Every listed value at once: the images inside all of them are read in one
                # query instead of one per page.
                values = field.stream_block.bulk_to_python(
                    [getattr(page, field.name).raw_data for page in pages]
                )
                for page, value in zip(pages, values, strict=True):
                    setattr(page, field.name, value)
        return pages

    def get_paginated_response(self, data):
        languages = self.requested_languages()
        if languages is not None:
            for item, locale_id in zip(data, self._listed_locales, strict=True):
                self._mark(item, locale_id, languages)
        return super().get_paginated_response(data)

    def _lists(self, name):
        fields = {field.strip() for field in self.request.GET.get("fields", "").split(",")}
        return name in fields or ("*" in fields and f"-{name}" not in fields)

    # -- detail --------------------------------------------------------------------------

    def find_object(self, queryset, request):
        # Not found, in v3's words: Wagtail's v2 says only "not found".
        if "html_path" in request.GET:
            page = page_at_html_path(request, request.GET["html_path"])
            if page is not None and queryset.filter(id=page.id).exists():
                return page
            if "id" not in request.GET:
                raise Http404(not_published(request.GET["html_path"]))
        # ``id`` is a whole number (api.views refuses any other).
        page = queryset.filter(id=request.GET["id"]).first() if "id" in request.GET else None
        if page is None:
            raise Http404(f"No {Page._meta.object_name} matches the given query.")
        return page

    def get_object(self):
        # Wagtail's get_serializer_class() calls get_object() again: fetch the page once.
        if not hasattr(self, "_object"):
            self._object = self._find_page()
        return self._object

    def _find_page(self):
        languages = self.requested_languages()
        if languages is not None and self.action == "detail_view":
            # Any translation's id names the page; only live versions are candidates.
            key = Page.objects.filter(pk=self.kwargs["pk"]).values_list(
                "translation_key", flat=True
            )
            page = self.filter_queryset(self.get_queryset()).filter(translation_key__in=key)
            page = page.first()
            if page is None:
                raise Http404("No live version of this page in the requested languages.")
        elif self.action == "detail_view":
            page = self._lookup_whole()
            if page is not None:
                return page
            # Wagtail's lookup without its .specific: the specific page is read once, below.
            page = super(PagesAPIViewSet, self).get_object()
        else:
            return super().get_object()
        return read_whole(page)

    def _lookup_whole(self):
        """Wagtail's lookup of the detail view and ``read_whole`` in one query, when the page's
        type has a ``detail_queryset`` (its type is known from the cache: ``page_kind``);
        else None. Without filters, the page as read is kept (``api.access.read_page``)."""
        pk = self.kwargs["pk"]
        _language, content_type_id = page_kind(pk)
        model = content_type_id and ContentType.objects.get_for_id(content_type_id).model_class()
        detail_queryset = getattr(model, "detail_queryset", None)
        if detail_queryset is None:
            return None
        if set(self.request.GET) <= OUTPUT_PARAMETERS:
            # No filter applies: the page as read is kept (api.parts), and the base
            # queryset's rule (public_pages: v2 has no tokens) decided on it.
            page = read_page(model, pk)
            if page is None or not public_to(page, request_site(self.request)):
                raise Http404(f"No {self.model._meta.object_name} matches the given query.")
            self.check_object_permissions(self.request, page)
            return page
        queryset = self.filter_queryset(self.get_queryset())
        if not isinstance(queryset, QuerySet):
            return None
        page = detail_queryset().filter(pk__in=queryset.filter(pk=pk).values("pk")).first()
        if page is None:
            raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")
        self.check_object_permissions(self.request, page)
        return prepared(page)

    def get_serializer_context(self):
        # Wagtail's, with its base queryset built only if something reads it: its one reader,
        # Wagtail's meta.parent, is replaced by VisibleParentField, which needs no query.
        context = super(PagesAPIViewSet, self).get_serializer_context()
        context["base_queryset"] = SimpleLazyObject(self.get_base_queryset)
        return context

    def get_base_queryset(self):
        # Built once, for the lookup and the serializer's context. Wagtail's rule is decided
        # inside the query that reads the pages (``public_pages``: v2 has no tokens), except
        # for a search: the search backends take only plain field lookups as filters.
        if not hasattr(self, "_base_queryset"):
            if "search" in self.request.GET:
                self._base_queryset = super().get_base_queryset()
            else:
                try:
                    self._base_queryset = public_pages(self.request)
                except ValueError as error:  # ?site= matches several sites
                    raise BadRequestError(str(error)) from error
        return self._base_queryset

    def detail_view(self, request, pk):
        response = super().detail_view(request, pk)
        languages = self.requested_languages()
        if languages is not None:
            self._mark(response.data, self.get_object().locale_id, languages)
        return response
