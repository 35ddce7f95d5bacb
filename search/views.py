from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from wagtail.models import Page

from core import counts, pagecache, searching
from core.chrome import site_chrome
from core.fulltext import highlight
from core.fulltext import query as fulltext
from core.visibility import public
from news.models import ArticlePage, Category

# The periods a reader may narrow a search to: (value, label, how far back).
PERIODS = [
    ("day", _("Past 24 hours"), timedelta(days=1)),
    ("week", _("Past week"), timedelta(days=7)),
    ("month", _("Past month"), timedelta(days=31)),
    ("year", _("Past year"), timedelta(days=366)),
]
SORTS = [("", _("Most relevant")), ("date", _("Newest first"))]
# Articles shown when a search finds nothing.
LATEST_WHEN_NOTHING_FOUND = 4
SUGGESTIONS_CONTENT_TYPE = "application/x-suggestions+json"
OPENSEARCH_CONTENT_TYPE = "application/opensearchdescription+xml"


class SearchPaginator(Paginator):
    """Counts the results of a search once per change of the content (``core.counts``):
    counting reads every match, and readers run the same searches when news breaks."""

    def __init__(self, results, per_page, named):
        super().__init__(results, per_page)
        self.named = named

    @cached_property
    def count(self):
        return counts.kept(self.named, self.object_list.count)


def _choice(request, name, values):
    """The reader's choice for ``name`` among ``values``, "" when none; None when the value
    sent is none of them (a link from elsewhere, a hand-edited address)."""
    value = request.GET.get(name, "")
    return value if value == "" or value in values else None


def search(request):
    """Search the live, public pages of the reader's language.

    Results are ranked by relevance (then the newest first) or by date, narrowed by category
    and period; each shows its title and an extract with the words found marked. Within the
    search limits (``core.searching``): a longer query is searched by its beginning, and the
    page says so; a query with a NUL character is refused (400); beyond the rate limit for
    the reader's address the page asks them to wait (429, ``Retry-After``). A filter value
    that is not one of the choices is refused (400) and named.
    """
    raw_query = request.GET.get("q", "")
    query = raw_query.strip()
    locale = site_chrome(request).locale
    language_code = locale.language_code
    categories = list(Category.objects.filter(locale=locale).order_by("name"))

    category = _choice(request, "category", {category.slug for category in categories})
    period = _choice(request, "period", {value for value, _label, _delta in PERIODS})
    sort = _choice(request, "sort", {value for value, _label in SORTS})
    context = {
        "search_query": "",
        "typed_query": query,
        "results": None,
        "max_terms": searching.max_terms(),
        "max_length": searching.max_length(),
        "categories": categories,
        "periods": PERIODS,
        "sorts": SORTS,
        "category": category or "",
        "period": period or "",
        "sort": sort or "",
    }
    # The page cache: results change with any page of this language.
    pagecache.depends_on(pagecache.list_tag(language_code))

    if "\x00" in raw_query or None in (category, period, sort):
        context["search_refused"] = "\x00" in raw_query
        context["filter_refused"] = None in (category, period, sort)
        return TemplateResponse(request, "search/search.html", context, status=400)
    if query:
        limit = searching.rate_limit(request)
        if limit is not None and not limit.hit():
            # The query stays in the box, so that the reader only has to press Search again.
            context.update(too_many_searches=True)
            response = TemplateResponse(request, "search/search.html", context, status=429)
            response["Retry-After"] = str(limit.retry_after())
            return response
    if not searching.within_limits(query):
        query = searching.shorten(query)
        context["search_shortened"] = True
    context.update(search_query=query, typed_query=query)
    if not query:
        return TemplateResponse(request, "search/search.html", context)

    pages = public(Page.objects.live().filter(locale=locale))
    if category:
        pages = pages.filter(
            pk__in=ArticlePage.objects.filter(category__slug=category, locale=locale).values("pk")
        )
    since = None
    if period:
        delta = next(delta for value, _label, delta in PERIODS if value == period)
        # To the minute: the same search within a minute is the same query (and count).
        since = timezone.now().replace(second=0, microsecond=0) - delta
        pages = pages.filter(search_document__date__gte=since)
    parsed = fulltext.ParsedQuery(query, language_codes=[language_code])
    # The text of each page shown, for its extract, in the same query.
    found = fulltext.recent_first(pages.specific(), parsed, order_by_relevance=sort != "date")
    results = fulltext.with_text(found)

    paginator = SearchPaginator(
        results,
        settings.UKIYO_ARTICLES_PER_PAGE,
        ("search", language_code, query, category, since and since.isoformat()),
    )
    # get_page: a number that is not one gives page 1, one past the end the last page.
    results_page = paginator.get_page(request.GET.get("page", 1))
    terms = parsed.terms_for(language_code)
    found = list(results_page)
    for page in found:
        page.search_title = highlight.highlighted(page.title, terms, language_code)
        page.search_extract = highlight.extract(page.search_text, terms, language_code)
    context.update(results=found, page_obj=results_page, paginator=paginator)
    if not paginator.count:
        context["latest_articles"] = ArticlePage.objects.for_listing(locale.pk)[
            :LATEST_WHEN_NOTHING_FOUND
        ]
    return TemplateResponse(request, "search/search.html", context)


@cache_control(public=True, max_age=60)
def suggest(request):
    """Article titles of the reader's language that have the words typed so far, in the
    OpenSearch suggestions format a browser's address bar reads: ``[typed, [titles], [],
    [urls]]``. Search-as-you-type: titles only, the last word perhaps unfinished, not counted
    in the search rate limit. A query beyond the search limits or with a NUL character is
    refused (400)."""
    typed = request.GET.get("q", "")
    if "\x00" in typed or not searching.within_limits(typed):
        return JsonResponse({"message": searching.limits_message("q", typed)}, status=400)
    typed = typed.strip()
    titles, urls = [], []
    if typed:
        locale = site_chrome(request).locale
        language_code = locale.language_code
        articles = public(ArticlePage.objects.live().filter(locale=locale))
        articles = articles.defer("body", "references")
        for article in fulltext.autocomplete(articles, typed, language_code):
            titles.append(article.title)
            urls.append(article.get_full_url(request))
    return JsonResponse(
        [typed, titles, [], urls], safe=False, content_type=SUGGESTIONS_CONTENT_TYPE
    )


@cache_control(public=True, max_age=3600)
def opensearch(request):
    """The OpenSearch description of the reader's language: browsers offer the site's search
    (and its suggestions) in their address bar. Linked from every page's ``<head>``."""
    chrome = site_chrome(request)
    language_code = chrome.locale.language_code
    context = {
        # OpenSearch allows 16 characters.
        "short_name": chrome.site_name[:16],
        "language_code": language_code,
        "search_url": request.build_absolute_uri(reverse("search")),
        "suggest_url": request.build_absolute_uri(reverse("search_suggest")),
        "self_url": request.build_absolute_uri(reverse("opensearch")),
        "icon_url": request.build_absolute_uri(static("img/favicon.svg")),
    }
    return TemplateResponse(
        request, "search/opensearch.xml", context, content_type=OPENSEARCH_CONTENT_TYPE
    )
