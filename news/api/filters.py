"""The article filters of both APIs: ``category``, ``author``, ``published_after`` and
``published_before``.

- v2: ``/api/v2/pages/?type=news.ArticlePage&category=space`` (``ArticleFilter``, which
  ``news.apps`` adds to the pages endpoint);
- v3: ``/api/v3/articles/?category=space`` (``news.api.articles``).

Categories and authors are named by slug, the same in every language; the dates bound the
``display_date`` readers see, in the site's time zone unless an offset is given. Each filter
is a subquery of the listing query (``id__in``, the form Wagtail's search backends accept), so
the filters combine with ``search=`` and cost the same for 5 or 100 articles.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.utils import BadRequestError

from api.languages import ListingParameterError
from api.v2.filters import bad_request
from news.models import ArticleAuthor, ArticlePage

# Query parameters the filters read.
ARTICLE_FILTERS = ("category", "author", "published_after", "published_before")

DATE_FORMAT_HINT = "an ISO 8601 date (2025-06-22) or date-time (2025-06-22T14:15:00+09:00)"


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
            raise bad_request(error) from error
        if queryset.model is not ArticlePage:
            raise BadRequestError(f"{named[0]} filters articles: add type=news.ArticlePage.")
        return filter_articles(queryset, filters)
