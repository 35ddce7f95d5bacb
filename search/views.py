from django.conf import settings
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from core import counts, pagecache, searching


class SearchPaginator(Paginator):
    """Counts the results of a search once per change of the content (``core.counts``):
    counting reads every match, and readers run the same searches when news breaks."""

    def __init__(self, results, per_page, language_code, query):
        super().__init__(results, per_page)
        self.named = ("search", language_code, query)

    @cached_property
    def count(self):
        if not self.named[-1]:
            return super().count  # no search, no results
        return counts.kept(self.named, self.object_list.count)


def search(request):
    """Search the live pages of the current language only.

    Within the search limits (``core.searching``): a longer query is searched by its
    beginning, and the page says so; a query with a NUL character is refused (400); beyond
    the rate limit for the reader's address the page asks them to wait (429, ``Retry-After``).
    """
    raw_query = request.GET.get("q", "")
    query = raw_query.strip()
    context = {
        "search_query": "",
        "results": Page.objects.none(),
        "max_terms": searching.max_terms(),
        "max_length": searching.max_length(),
    }
    if "\x00" in query:
        context["search_refused"] = True
        return TemplateResponse(request, "search/search.html", context, status=400)
    if query:
        limit = searching.rate_limit(request)
        if limit is not None and not limit.hit():
            # The query stays in the box, so that the reader only has to press Search again.
            context.update(too_many_searches=True, typed_query=query)
            response = TemplateResponse(request, "search/search.html", context, status=429)
            response["Retry-After"] = str(limit.retry_after())
            return response
    if not searching.within_limits(query):
        query = searching.shorten(query)
        context["search_shortened"] = True

    try:
        locale = Locale.objects.get_for_language(get_language())
    except Locale.DoesNotExist:
        locale = Locale.get_default()

    results = Page.objects.none()
    if query:
        results = (
            Page.objects.live()
            .public()
            .filter(locale=locale)
            .specific()
            .search(query, operator="and")
        )

    # The page cache: results change with any page of this language.
    pagecache.depends_on(pagecache.list_tag(locale.language_code))
    paginator = SearchPaginator(
        results, settings.UKIYO_ARTICLES_PER_PAGE, locale.language_code, query
    )
    # get_page: a number that is not one gives page 1, one past the end the last page.
    results_page = paginator.get_page(request.GET.get("page", 1))
    context.update(search_query=query, results=results_page, paginator=paginator)
    return TemplateResponse(request, "search/search.html", context)
