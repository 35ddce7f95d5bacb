from django.conf import settings
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from wagtail.models import Locale, Page

# Longer queries are cut: they cost the search backend and never help a reader.
MAX_QUERY_LENGTH = 200


def search(request):
    """Search the live pages of the current language only."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
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

    paginator = Paginator(results, settings.UKIYO_ARTICLES_PER_PAGE)
    # get_page: a number that is not one gives page 1, one past the end the last page.
    results_page = paginator.get_page(request.GET.get("page", 1))

    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "results": results_page, "paginator": paginator},
    )
