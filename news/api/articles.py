"""``/api/v3/articles/``: articles as cards, and one article in a chosen language.

- ``/api/v3/articles/`` lists live articles as cards (what a list or a teaser shows, in one
  call), newest first, filtered by language, category, author and date (``news.api.filters``);
  with ``q``, only the articles whose words match, most relevant first, each with an extract
  that marks the words found (``core.fulltext``, the search of the reader's site).
- ``/api/v3/articles/autocomplete/`` suggests article titles as a reader types.
- ``/api/v3/articles/<id>/`` is the article that page ``id`` is a version of, in ``locale``.
- Both take ``?locale=fr&fallback=en,ja`` (``api.languages``): articles without a live French
  version come in the first fallback language that has one, marked ``"fallback": true`` next
  to their ``locale``.

Every cost is fixed: the fallback choice and the filters are subqueries of the listing query,
and the cards' related rows and renditions are prefetched, so a page of 5 or of 100 articles
takes the same number of queries. Each card is kept per article revision (``cards_of``): the
listing reads the ids and revisions, and whole only the articles whose card changed.
"""

import hashlib
from datetime import datetime
from functools import partial
from typing import Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from wagtail.api.rich_text import RichTextOutputFormat
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
from wagtail.api.v3.registry import registry
from wagtail.images.models import Rendition
from wagtail.models import Page

from api.access import public_pages, read_page
from api.images import cached_rendition
from api.kept import shows
from api.languages import (
    ListingParameterError,
    in_preferred_language,
    known_locale,
    language_codes,
    parse_languages,
)
from api.params import MAX_OFFSET, refuse_unknown_parameters
from api.v3.schemas import FallbackFields, FallbackMarks, fallback_marks
from core import counts, pagecache, searching
from core.fulltext import highlight
from core.fulltext import query as fulltext
from core.links import absolute_media_url, api_url
from news.models import CARD_RENDITION, ArticleAuthor, ArticlePage

from .filters import DATE_FORMAT_HINT, filter_articles, parse_article_filters


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


class ArticleCard(FallbackFields):
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
    search_extract: str | None = Field(
        None,
        description="With `q`: about 200 characters of the article around the first word "
        "found, as HTML: the text escaped, each word found in `<mark>`. Otherwise null.",
    )


# What a card shows for every request alike (kept: cards_of), and what it adds for each one.
PER_REQUEST = frozenset(["requested_locale", "fallback", "search_extract"])


class _CardOfArticle(ArticleCard):
    """An article's card as every request shows it, read from the article."""

    @staticmethod
    def resolve_requested_locale(obj):
        return None  # per request: cards_of

    @staticmethod
    def resolve_fallback(obj):
        return False  # per request: cards_of

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
        rendition = cached_rendition(obj.lead_image, CARD_RENDITION)
        if rendition is None:
            return None  # the file cannot be read: a card without an image, not an error
        return {
            "url": rendition.url,
            "full_url": absolute_media_url(rendition.url),
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

    @staticmethod
    def resolve_search_extract(obj):
        return None  # per request: cards_of


def _card_key(request, article):
    identity = "\x1f".join(
        str(part)
        for part in (request.scheme, request.get_host(), article.pk, article.live_revision_id)
    )
    return "api-card:" + hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()


def _made_card(article, request):
    # What it shows: the article's row and category, its authors (renamed: api.kept), its
    # lead image (the site's images).
    pagecache.depends_on(*article.page_cache_tags())
    card = _CardOfArticle.from_orm(article, context={"request": request})
    return card.model_dump(exclude=PER_REQUEST)


def cards_of(articles, request):
    """The cards of ``articles`` (live articles, as the listing reads them: ``_card_rows``).

    What a card shows for every request is kept per article, revision and host
    (``core.pagecache.fragment``), stale when the article, its category, authors or lead image
    change: while news breaks, a new article makes the listing stale, not the other cards.
    The articles whose card is not kept are read with what their cards show, together.
    """
    cards = {}
    for article in articles:
        card = pagecache.fragment(
            _card_key(request, article), lambda: None, keep=lambda card: card is not None
        )
        if card is not None:
            cards[article.pk] = card
    missing = [article.pk for article in articles if article.pk not in cards]
    if missing:
        for article in _with_card_fields(ArticlePage.objects.filter(pk__in=missing)):
            cards[article.pk] = pagecache.fragment(
                _card_key(request, article), partial(_made_card, article, request)
            )
    query = getattr(request, "ukiyo_search_query", None)
    answer = []
    for article in articles:
        card = cards[article.pk]
        extract = None
        text = getattr(article, "search_text", None)
        if query is not None and text is not None:
            language_code = card["locale"]
            extract = str(highlight.extract(text, query.terms_for(language_code), language_code))
        answer.append(
            {**card, **fallback_marks(card["locale"], request), "search_extract": extract}
        )
    return answer


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
    q: str | None = Field(
        None,
        description="Words to search for in the articles' titles and texts, in each "
        "article's own language (at most `UKIYO_SEARCH_MAX_TERMS` words and "
        "`UKIYO_SEARCH_MAX_LENGTH` characters). The cards are then ordered by relevance "
        "unless `order` says otherwise, and each has a `search_extract`.",
    )
    order: Literal["relevance", "-display_date", "display_date", "title", "-title"] | None = Field(
        None,
        description="`relevance` (with `q` only, its default), or by date or title; "
        "`-display_date` (newest first) by default without `q`.",
    )
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
        # Bounded so that no page makes the database skip more rows than it is worth: older
        # cards are read with published_before (api.params.MAX_OFFSET).
        offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = cards_of(list(page[self.items_attribute]), request)
        return page

    def _items_count(self, queryset):
        # Exact, and counted once per change of the content (core.counts): the one part of
        # the listing whose cost grows with the archive. Ninja's paginators count through
        # this method; tests/api/test_listing_counts.py fails if they stop.
        return counts.count(queryset)


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
        return public_pages(request, ArticlePage)
    except ValueError as error:  # ?site= matches several sites
        raise HttpError(400, str(error)) from error


def _card_rows(queryset):
    """What the listing reads of each article it lists: its id and live revision (its card is
    kept: ``cards_of``)."""
    return queryset.only("live_revision_id")


def _with_card_fields(queryset):
    """What a card reads, in a fixed number of queries however many cards there are. No body
    and no sources: a card shows neither (as ``ArticleQuerySet.as_cards``), and decoding
    their JSON took about a quarter of a listing's time."""
    return (
        queryset.defer("body", "references")
        .select_related("locale", "category", "lead_image")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
            ),
            Prefetch(
                "lead_image__renditions",
                queryset=Rendition.objects.filter(filter_spec=CARD_RENDITION),
            ),
        )
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
        locale = known_locale(query.locale)
        request.ukiyo_requested_locale = locale.language_code
        return None, locale
    return None, None


def _languages_read(languages, locale):
    """The codes of the languages a listing reads articles of."""
    if languages is not None:
        return [chained.language_code for chained in languages.chain]
    if locale is not None:
        return [locale.language_code]
    return language_codes()


router = Router(tags=["articles"])


@router.get(
    "/",
    response=list[ArticleCard],
    url_name="list_articles",
    summary="List articles as cards",
    description="Live articles of the current site as cards, newest first, filtered by "
    "language, category, author and date. With `q`, only the articles whose words match, "
    "each in its own language, most relevant first, each with a `search_extract`. With "
    "`fallback`, articles missing in `locale` come in the first fallback language that has "
    "them, marked `fallback: true`.",
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
    # The cards are the articles of these languages (the answer may be kept: api.kept).
    shows(*(pagecache.list_tag(code) for code in _languages_read(languages, locale)))
    articles = _public_articles(request)
    if languages is not None:
        # Translations of an article are articles: the visible ones are the candidates.
        articles = in_preferred_language(articles, articles, languages)
    elif locale is not None:
        articles = articles.filter(locale=locale)
    articles = filter_articles(articles, filters)
    order = query.order or ("relevance" if query.q is not None else "-display_date")
    if query.q is None:
        if order == "relevance":
            raise _invalid(ListingParameterError("order", "order=relevance needs q."))
        return _card_rows(articles).order_by(*ORDERINGS[order])
    words = query.q.strip()
    if not words:
        raise _invalid(ListingParameterError("q", "q needs at least one word to search for."))
    if not searching.within_limits(words):
        raise _invalid(ListingParameterError("q", searching.limits_message("q", words)))
    if languages is not None:
        searched = [locale.language_code for locale in languages.chain]
    else:
        searched = [locale.language_code] if locale is not None else None
    # Parsed once: for the search, and for each card's marked extract.
    request.ukiyo_search_query = fulltext.ParsedQuery(words, language_codes=searched)
    if order == "relevance":
        found = fulltext.recent_first(articles, request.ukiyo_search_query)
        return found.map(lambda results: _card_rows(fulltext.with_text(results)))
    found = fulltext.search(articles, request.ukiyo_search_query, order_by_relevance=False)
    return _card_rows(fulltext.with_text(found)).order_by(*ORDERINGS[order])


class ArticleSuggestion(Schema):
    """An article whose title has the words typed so far."""

    id: int
    title: str
    html_url: str
    api_v3_url: str


@router.get(
    "/autocomplete/",
    response=list[ArticleSuggestion],
    url_name="autocomplete_articles",
    summary="Suggest article titles as a reader types",
    description="Live articles of one language whose titles have the words of `q`, the last "
    "one perhaps unfinished (`moon lan` suggests “Moon landing”; `月面着` suggests "
    "“月面着陸…”), the most relevant first. Not counted in the search rate limit.",
    operation_id="articles_autocomplete",
    auth=[BearerTokenAuth(), AllowAnonymous()],
)
def autocomplete_articles(
    request: HttpRequest,
    q: str = Query(..., description="What the reader has typed so far."),
    locale: str = Query(..., description="A language code (ja, en, zh-hans...)."),
    limit: int = Query(8, ge=1, le=20, description="At most this many titles."),
    site: str | None = Query(None, description="A site's hostname[:port]."),
):
    refuse_unknown_parameters(request, {"q", "locale", "limit", "site"})
    _languages, one_locale = _languages_or_locale(request, ArticleListingQuery(locale=locale))
    words = q.strip()
    if not words:
        raise _invalid(ListingParameterError("q", "q needs at least one character."))
    if not searching.within_limits(words):
        raise _invalid(ListingParameterError("q", searching.limits_message("q", words)))
    shows(pagecache.list_tag(one_locale.language_code))  # may be kept (api.kept)
    articles = _public_articles(request).filter(locale=one_locale)
    return [
        {
            "id": article.pk,
            "title": article.title,
            "html_url": article.get_full_url(request),
            "api_v3_url": api_url("wagtailapi_v3:detail_page", article.pk),
        }
        for article in fulltext.autocomplete(
            articles.defer("body", "references"), words, one_locale.language_code, limit
        )
    ]


def detail_url(article_id):
    """The path of the article in a language: where v3's ``find`` with ``locale`` leads."""
    return reverse("wagtailapi_v3:detail_article", kwargs={"article_id": article_id})


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
    # Read from the request by the schema's rich-text fields and blocks, as on the pages
    # detail: declared here so that it is documented and an unknown format is a 400.
    rich_text_format: RichTextOutputFormat | None = Query(  # noqa: B008
        None, description="The format of rich text: html (the default), markdown, db_html..."
    ),
):
    refuse_unknown_parameters(request, {"locale", "fallback", "site", "rich_text_format"})
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
    # Who may read which version is decided here; the version found is read as the pages
    # detail reads it, kept between answers (api.access.read_page).
    found = articles.values_list("pk", flat=True).first()
    article = found and read_page(ArticlePage, found)
    if not article:
        raise Http404("No live version of this article in the requested languages.")
    # Rich-text links resolve to pages in the article's own language, as on the pages API.
    with translation.override(article.locale.language_code):
        return ArticleInLanguageSchema.from_orm(article, context={"request": request})
