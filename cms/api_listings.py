"""Article listings for frontends: filters, cards and an opt-in fallback language.

- v2: ``/api/v2/pages/?type=news.ArticlePage`` filters by ``category`` and ``author`` (slugs,
  the same in every language) and by a ``display_date`` range (``published_after``,
  ``published_before``); ``ListingFiltersMixin`` adds them to ``cms.api.PagesEndpoint``.
- v3: ``/api/v3/articles/`` lists articles as cards (what a list or a teaser shows, in one
  call) with the same filters; ``/api/v3/articles/<id>/`` is one article in a chosen language.
- Both: ``?locale=fr&fallback=en`` lists, for every article without a live French version,
  its version in the first fallback language that has one, marked ``"fallback": true`` next to
  its ``locale``. Without ``fallback`` nothing changes.

Every cost is fixed: the fallback choice and the filters are subqueries of the listing query,
so a page of 5 or of 100 articles takes the same number of queries.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, QueryDict
from django.utils import timezone, translation
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from rest_framework.filters import BaseFilterBackend
from wagtail.api.querysets import get_public_pages_queryset
from wagtail.api.v2.filters import FieldsFilter, LocaleFilter, SearchFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v3.api import api as api_v3
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
from wagtail.api.v3.registry import registry
from wagtail.images.models import Rendition, SourceImageIOError
from wagtail.models import Locale, Page

from cms.api_common import api_url, refuse_unknown_parameters
from news.models import CARD_RENDITION, ArticleAuthor, ArticlePage

# Query parameters this module reads, besides Wagtail's own.
ARTICLE_FILTERS = ("category", "author", "published_after", "published_before")
LISTING_PARAMETERS = frozenset([*ARTICLE_FILTERS, "fallback"])

DATE_FORMAT_HINT = "an ISO 8601 date (2025-06-22) or date-time (2025-06-22T14:15:00+09:00)"


class ListingParameterError(ValueError):
    """A query parameter with a value the listing cannot use; ``parameter`` names it."""

    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter


# ---------------------------------------------------------------------------
# Reading the query string (shared by v2 and v3)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleFilters:
    category: str | None = None
    author: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    # A date without a time covers the whole day: "before" is then the next midnight, excluded.
    before_is_exclusive: bool = False


def _slug(parameter, value):
    """A category's or author's slug: letters, digits and marks of any script, ``-``, ``_``."""
    if not all(unicodedata.category(char)[0] in "LNM" or char in "-_" for char in value):
        raise ListingParameterError(
            parameter, f"{parameter} takes a slug (letters, digits, hyphens), not {value!r}."
        )
    return value


# "+09:00" arrives as " 09:00" when a client forgets to percent-encode the "+".
_UNENCODED_PLUS = re.compile(r"^(\d{4}-\d\d-\d\d[T ][\d:.]+) (\d\d(?::?\d\d)?)$")


def _bound(parameter, value):
    """``value`` as an aware date-time, and whether it was a date alone.

    A date-time without an offset is in the site's time zone (``TIME_ZONE``), as dates are.
    """
    value = _UNENCODED_PLUS.sub(r"\1+\2", value.strip())
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    try:
        if day is not None:
            moment = datetime.combine(day, time.min)
        else:
            moment = datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    except ValueError as error:
        raise ListingParameterError(
            parameter, f"{parameter} must be {DATE_FORMAT_HINT}, not {value!r}."
        ) from error
    try:
        # Converting now surfaces dates the database cannot hold (year 1 east of UTC...).
        moment.astimezone(UTC)
    except OverflowError as error:
        raise ListingParameterError(
            parameter, f"{parameter} is out of range: {value!r}."
        ) from error
    return moment, day is not None


def parse_article_filters(params: Mapping[str, str]) -> ArticleFilters:
    """The article filters of a query string; an empty value is the same as none."""
    values = {name: (params.get(name) or "").strip() for name in ARTICLE_FILTERS}
    after = before = None
    before_is_exclusive = False
    if values["published_after"]:
        after, _ = _bound("published_after", values["published_after"])
    if values["published_before"]:
        before, whole_day = _bound("published_before", values["published_before"])
        if whole_day:
            try:
                before = before + timedelta(days=1)
                before.astimezone(UTC)
            except OverflowError:
                before = None  # the last day there is: no upper bound
            before_is_exclusive = True
    if after and before and (after >= before if before_is_exclusive else after > before):
        raise ListingParameterError(
            "published_after", "published_after is later than published_before."
        )
    return ArticleFilters(
        category=_slug("category", values["category"]) if values["category"] else None,
        author=_slug("author", values["author"]) if values["author"] else None,
        published_after=after,
        published_before=before,
        before_is_exclusive=before_is_exclusive,
    )


def filter_articles(queryset, filters: ArticleFilters):
    """Narrow an ArticlePage queryset; a slug no article uses gives an empty list.

    Category and author become ``id__in`` subqueries, the form Wagtail's search backends
    accept, so the filters combine with ``search=``.
    """
    if filters.category:
        in_category = ArticlePage.objects.filter(category__slug=filters.category)
        queryset = queryset.filter(id__in=in_category.values("pk"))
    if filters.author:
        by_author = ArticleAuthor.objects.filter(author__slug=filters.author)
        queryset = queryset.filter(id__in=by_author.values("page_id"))
    if filters.published_after:
        queryset = queryset.filter(display_date__gte=filters.published_after)
    if filters.published_before:
        lookup = "display_date__lt" if filters.before_is_exclusive else "display_date__lte"
        queryset = queryset.filter(**{lookup: filters.published_before})
    return queryset


@dataclass(frozen=True)
class Languages:
    """The requested language, then the fallbacks, in the order they were asked for."""

    chain: tuple[Locale, ...]

    @property
    def requested(self) -> Locale:
        return self.chain[0]


def _language_codes():
    return {code for code, _name in settings.LANGUAGES}


def parse_languages(locale_code, fallback) -> Languages | None:
    """``?locale=fr&fallback=en,ja`` as a chain of locales; None without ``fallback``.

    An unknown ``locale`` is a 404, as Wagtail answers it everywhere; an unknown fallback
    language is a 400 naming it. Repeated languages count once.
    """
    codes = [code.strip() for code in (fallback or "").split(",") if code.strip()]
    if not codes:
        return None
    if not locale_code:
        raise ListingParameterError(
            "fallback", "fallback needs locale: ask for ?locale=fr&fallback=en."
        )
    unknown = [code for code in codes if code not in _language_codes()]
    if unknown:
        raise ListingParameterError(
            "fallback", f"fallback names an unknown language: {', '.join(unknown)}."
        )
    if locale_code not in _language_codes():
        raise Http404(f"No language {locale_code!r}.")
    wanted = list(dict.fromkeys([locale_code, *codes]))
    locales = {
        locale.language_code: locale for locale in Locale.objects.filter(language_code__in=wanted)
    }
    if locale_code not in locales:
        raise Http404(f"No language {locale_code!r}.")
    # A fallback language the site has no pages in yet has nothing to offer.
    return Languages(chain=tuple(locales[code] for code in wanted if code in locales))


def in_preferred_language(queryset, candidates, languages: Languages):
    """Of each translation group, keep the version in the first language of the chain that
    ``candidates`` (the live pages the caller may see) holds.

    One subquery per language of the chain, never per page, so the cost does not grow with
    the listing. Written as ``id__in`` for the search backends, like the filters.
    """
    chosen = Q()
    for position, locale in enumerate(languages.chain):
        in_this_language = Q(locale=locale)
        if position:
            preferred = candidates.filter(
                translation_key=OuterRef("translation_key"),
                locale__in=languages.chain[:position],
            )
            in_this_language &= ~Exists(preferred)
        chosen |= in_this_language
    return queryset.filter(id__in=candidates.filter(chosen).values("pk"))


# ---------------------------------------------------------------------------
# API v2: filters of /api/v2/pages/
# ---------------------------------------------------------------------------


def _bad_request(error: ListingParameterError):
    return BadRequestError(str(error))


class _QueryWithout:
    """A request whose query string lacks some parameters (see ``FieldsFilterBesidesListing``)."""

    def __init__(self, request, names):
        self.GET = QueryDict(mutable=True)
        for name, values in request.GET.lists():
            if name not in names:
                self.GET.setlist(name, values)


class FieldsFilterBesidesListing(FieldsFilter):
    """Wagtail's ``?<field>=<value>`` filters, except those this module reads.

    ``category`` is an article field, so Wagtail would take ``?category=space`` for a
    category id; here it is the slug, the same in every language.
    """

    def filter_queryset(self, request, queryset, view):
        return super().filter_queryset(_QueryWithout(request, LISTING_PARAMETERS), queryset, view)


class ArticleFilter(BaseFilterBackend):
    """``category``, ``author``, ``published_after`` and ``published_before`` on listings."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "listing_view":
            return queryset  # like Wagtail's own filters, ignored on detail
        named = [name for name in ARTICLE_FILTERS if request.GET.get(name, "").strip()]
        if not named:
            return queryset
        try:
            filters = parse_article_filters(request.GET)
        except ListingParameterError as error:
            raise _bad_request(error) from error
        if queryset.model is not ArticlePage:
            raise BadRequestError(f"{named[0]} filters articles: add type=news.ArticlePage.")
        return filter_articles(queryset, filters)


class FallbackLocaleFilter(LocaleFilter):
    """``?locale=`` as Wagtail reads it, or with ``fallback=`` the language chain."""

    def filter_queryset(self, request, queryset, view):
        languages = view.requested_languages()
        if languages is None:
            return super().filter_queryset(request, queryset, view)
        return in_preferred_language(queryset, view.get_base_queryset(), languages)


class ListingFiltersMixin:
    """Adds this module's filters and the fallback language to Wagtail's pages endpoint.

    Fallback versions are marked in ``meta``, next to ``locale`` (which stays the language
    the content is in): ``"requested_locale": "fr", "fallback": true``.
    """

    known_query_parameters = frozenset(LISTING_PARAMETERS)

    @classmethod
    def with_listing_filters(cls, backends):
        """Wagtail's filter backends with this module's in place, before the search (a
        search result cannot be filtered further)."""
        replaced = {FieldsFilter: FieldsFilterBesidesListing, LocaleFilter: FallbackLocaleFilter}
        backends = [replaced.get(backend, backend) for backend in backends]
        position = backends.index(SearchFilter) if SearchFilter in backends else len(backends)
        return [*backends[:position], ArticleFilter, *backends[position:]]

    def requested_languages(self) -> Languages | None:
        if not hasattr(self, "_languages"):
            try:
                self._languages = parse_languages(
                    self.request.GET.get("locale"), self.request.GET.get("fallback")
                )
            except ListingParameterError as error:
                raise _bad_request(error) from error
        return self._languages

    def paginate_queryset(self, queryset):
        pages = super().paginate_queryset(queryset)
        if self.requested_languages() is not None:
            pages = list(pages)
            self._listed_locales = [page.locale_id for page in pages]
        return pages

    def get_paginated_response(self, data):
        languages = self.requested_languages()
        if languages is not None:
            for item, locale_id in zip(data, self._listed_locales, strict=True):
                self._mark(item, locale_id, languages)
        return super().get_paginated_response(data)

    def get_object(self):
        languages = self.requested_languages()
        if languages is None or self.action != "detail_view":
            return super().get_object()
        # Any translation's id names the article; only live versions are candidates.
        key = Page.objects.filter(pk=self.kwargs["pk"]).values_list("translation_key", flat=True)
        page = self.filter_queryset(self.get_queryset()).filter(translation_key__in=key).first()
        if page is None:
            raise Http404("No live version of this page in the requested languages.")
        return page.specific

    def detail_view(self, request, pk):
        response = super().detail_view(request, pk)
        languages = self.requested_languages()
        if languages is not None:
            self._mark(response.data, self.get_object().locale_id, languages)
        return response

    @staticmethod
    def _mark(item, locale_id, languages):
        meta = item.setdefault("meta", {})
        meta["requested_locale"] = languages.requested.language_code
        meta["fallback"] = locale_id != languages.requested.pk


# ---------------------------------------------------------------------------
# API v3: /api/v3/articles/
# ---------------------------------------------------------------------------


class CardCategory(Schema):
    id: int
    name: str
    slug: str


class CardAuthor(Schema):
    id: int
    name: str
    slug: str
    role: str


class CardImage(Schema):
    url: str
    full_url: str
    width: int
    height: int
    alt: str


def _requested_locale(context) -> str | None:
    return getattr(context["request"], "ukiyo_requested_locale", None)


class FallbackMarks(Schema):
    """How an article answers ``?locale=``: the language asked for, and whether this version
    is in a fallback language instead (cards, and the meta of an article in a language)."""

    requested_locale: str | None = Field(
        description="The language asked for with ?locale=, or null without it."
    )
    fallback: bool = Field(
        description="True when the article has no live version in the requested language "
        "and this one is in a ?fallback= language."
    )

    @staticmethod
    def resolve_requested_locale(obj, context):
        return _requested_locale(context)

    @staticmethod
    def resolve_fallback(obj, context):
        requested = _requested_locale(context)
        return requested is not None and obj.locale.language_code != requested


class ArticleCard(FallbackMarks):
    """What a list of articles shows of each one, in one call."""

    id: int
    title: str
    summary: str
    display_date: datetime
    category: CardCategory | None
    authors: list[CardAuthor]
    lead_image_thumbnail: CardImage | None = Field(
        description=f"The lead image as a card shows it ({CARD_RENDITION}), or null."
    )
    html_url: str
    api_v2_url: str
    api_v3_url: str = Field(description="The full page in API v3 (body, references...).")
    locale: str = Field(description="The language this card is in.")

    @staticmethod
    def resolve_category(obj):
        return obj.category.as_api_dict() if obj.category else None

    @staticmethod
    def resolve_authors(obj):
        return [author.as_api_dict() for author in obj.authors]

    @staticmethod
    def resolve_lead_image_thumbnail(obj):
        if obj.lead_image is None:
            return None
        try:
            rendition = obj.lead_image.get_rendition(CARD_RENDITION)
        except SourceImageIOError:
            return None  # the file is gone: a card without an image rather than an error
        return {
            "url": rendition.url,
            "full_url": rendition.full_url,
            "width": rendition.width,
            "height": rendition.height,
            "alt": rendition.alt,
        }

    @staticmethod
    def resolve_html_url(obj, context):
        return obj.get_full_url(context["request"])

    @staticmethod
    def resolve_api_v2_url(obj):
        return api_url("wagtailapi:pages:detail", obj.pk)

    @staticmethod
    def resolve_api_v3_url(obj):
        return api_url("wagtailapi_v3:detail_page", obj.pk)

    @staticmethod
    def resolve_locale(obj):
        return obj.locale.language_code


class ArticleListingQuery(Schema):
    locale: str | None = Field(None, description="A language code (ja, en, zh-hans...).")
    fallback: str | None = Field(
        None,
        description="Comma-separated languages to use, in order, for articles without a "
        "live version in `locale` (e.g. en,ja). Needs `locale`.",
    )
    category: str | None = Field(
        None, description="A category's slug (the same in every language)."
    )
    author: str | None = Field(None, description="An author's slug (the same in every language).")
    published_after: str | None = Field(
        None, description=f"Articles shown on or after this moment: {DATE_FORMAT_HINT}."
    )
    published_before: str | None = Field(
        None,
        description=f"Articles shown on or before this moment: {DATE_FORMAT_HINT}; "
        "a date alone includes that whole day.",
    )
    order: Literal["-display_date", "display_date", "title", "-title"] = "-display_date"
    site: str | None = Field(
        None, description="A site's hostname[:port]; the current one by default."
    )


ORDERINGS = {
    "-display_date": ("-display_date", "-pk"),
    "display_date": ("display_date", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}


class CardPagination(WagtailLimitOffsetPagination):
    class Input(WagtailLimitOffsetPagination.Input):
        limit: int = Field(default=20, ge=1, le=100)
        # Bounded so that the database is never handed an offset it cannot hold.
        offset: int = Field(default=0, ge=0, le=2**31 - 1)


def _invalid(error: ListingParameterError):
    return NinjaValidationError(
        [{"type": "value_error", "loc": ["query", error.parameter], "msg": str(error)}]
    )


def _public_articles(request):
    """Live articles of the requested site that this caller may see.

    Wagtail's own rule, as v2 and v3 pages apply it: anonymous callers get public pages
    only; a view restriction lets in the token holders it would let in on the site.
    """
    if "\x00" in request.GET.get("site", ""):
        raise HttpError(400, "site must be a hostname, optionally with :port.")
    try:
        return get_public_pages_queryset(request, ArticlePage)
    except ValueError as error:  # ?site= matches several sites
        raise HttpError(400, str(error)) from error


def _with_card_fields(queryset):
    """What a card reads, in a fixed number of queries however many cards there are."""
    return queryset.select_related("locale", "category", "lead_image").prefetch_related(
        Prefetch(
            "article_authors",
            queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
        ),
        Prefetch(
            "lead_image__renditions",
            queryset=Rendition.objects.filter(filter_spec=CARD_RENDITION),
        ),
    )


def _languages_or_locale(request, query):
    """Filter by language: a chain with ``fallback``, or one language, or all of them."""
    try:
        languages = parse_languages(query.locale, query.fallback)
    except ListingParameterError as error:
        raise _invalid(error) from error
    if languages is not None:
        request.ukiyo_requested_locale = languages.requested.language_code
        return languages, None
    if query.locale:
        # Checked against the settings first: the database never sees a malformed code.
        locale = None
        if query.locale in _language_codes():
            locale = Locale.objects.filter(language_code=query.locale).first()
        if locale is None:
            raise Http404(f"No language {query.locale!r}.")
        request.ukiyo_requested_locale = locale.language_code
        return None, locale
    return None, None


router = Router(tags=["articles"])


@router.get(
    "/",
    response=list[ArticleCard],
    url_name="list_articles",
    summary="List articles as cards",
    description="Live articles of the current site as cards, newest first, filtered by "
    "language, category, author and date. With `fallback`, articles missing in `locale` "
    "come in the first fallback language that has them, marked `fallback: true`.",
    operation_id="articles_list",
    auth=[BearerTokenAuth(), AllowAnonymous()],
)
@paginate(CardPagination)
def list_articles(request: HttpRequest, query: ArticleListingQuery = Query(...), **kwargs):  # noqa: B008
    refuse_unknown_parameters(request, {*ArticleListingQuery.model_fields, "limit", "offset"})
    try:
        filters = parse_article_filters(query.dict())
    except ListingParameterError as error:
        raise _invalid(error) from error
    languages, locale = _languages_or_locale(request, query)
    articles = _public_articles(request)
    if languages is not None:
        # Translations of an article are articles: the visible ones are the candidates.
        articles = in_preferred_language(articles, articles, languages)
    elif locale is not None:
        articles = articles.filter(locale=locale)
    articles = filter_articles(articles, filters)
    return _with_card_fields(articles).order_by(*ORDERINGS[query.order])


_ArticleSchema = registry.get(ArticlePage._meta.label).read_schema
_ArticleMetaSchema = _ArticleSchema.model_fields["meta"].annotation


class ArticleInLanguageMetaSchema(FallbackMarks, _ArticleMetaSchema):
    """The meta of an article in a language: Wagtail's, with the fallback marks."""


class ArticleInLanguageSchema(_ArticleSchema):
    """An article as ``/api/v3/pages/<id>/`` gives it, marked with the language asked for."""

    meta: ArticleInLanguageMetaSchema


@router.get(
    "/{article_id}/",
    response=ArticleInLanguageSchema,
    url_name="detail_article",
    summary="Article in a language",
    description="The article that page `article_id` is a version of (any translation's id "
    "will do), in `locale`, or else in the first `fallback` language that has it live; "
    "404 if none has.",
    operation_id="articles_detail",
    auth=[BearerTokenAuth(), AllowAnonymous()],
)
def get_article(
    request: HttpRequest,
    article_id: int,
    locale: str | None = Query(None, description="A language code (ja, en, zh-hans...)."),
    fallback: str | None = Query(
        None, description="Comma-separated languages to use, in order, if `locale` has none."
    ),
    site: str | None = Query(None, description="A site's hostname[:port]."),
):
    refuse_unknown_parameters(request, {"locale", "fallback", "site"})
    query = ArticleListingQuery(locale=locale, fallback=fallback)
    languages, one_locale = _languages_or_locale(request, query)
    key = Page.objects.filter(pk=article_id).values_list("translation_key", flat=True)
    visible = _public_articles(request)
    articles = visible.filter(translation_key__in=key)
    if languages is not None:
        articles = in_preferred_language(articles, visible, languages)
    elif one_locale is not None:
        articles = articles.filter(locale=one_locale)
    else:
        articles = articles.filter(pk=article_id)
    article = articles.with_details().first()
    if article is None:
        raise Http404("No live version of this article in the requested languages.")
    # Rich-text links resolve to pages in the article's own language, as on the pages API.
    with translation.override(article.locale.language_code):
        return ArticleInLanguageSchema.from_orm(article, context={"request": request})


api_v3.add_router("/articles/", router)
