"""The corrections page of a language: every correction and clarification of its articles,
the latest first (docs/readers.md, "Corrections")."""

from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import pagecache
from core.chrome import site_chrome
from core.sites import in_site_tree
from core.visibility import public

from .models import ArticleCorrection, ArticlePage

PER_PAGE = 20


@require_safe
def corrections(request):
    chrome = site_chrome(request)
    if chrome.site is None:
        raise Http404("No site answers this host.")
    language = get_language()
    # A correction is published with its article: the lists of its language move then.
    pagecache.depends_on(pagecache.list_tag(language))
    articles = public(
        ArticlePage.objects.live().filter(in_site_tree(chrome.site), locale__language_code=language)
    )
    rows = (
        ArticleCorrection.objects.filter(page__in=articles.values("pk"))
        .select_related("page")
        .order_by("-published", "-pk")
    )
    paginator = Paginator(rows, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page", 1))
    return TemplateResponse(
        request,
        "news/corrections.html",
        {
            "corrections": list(page_obj),
            "page_obj": page_obj,
            "paginator": paginator,
            "meta_description": _(
                "Every correction and clarification of our articles, the latest first."
            ),
        },
    )
