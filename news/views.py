"""Reader pages of a language that are not Wagtail pages: the corrections page (every
correction and clarification of its articles, the latest first) and each author's page (who
they are, and their articles, the newest first). docs/readers.md, "Corrections" and
"Authors"."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import pagecache
from core.chrome import site_chrome
from core.sites import in_site_tree
from core.structured_data import script
from core.visibility import public

from .models import ArticleCorrection, ArticlePage, Author, author_path
from .structured_data import profile_page

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
        .defer("page__body", "page__references")  # a correction shows its article's title
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


@require_safe
def author(request, slug):
    chrome = site_chrome(request)
    if chrome.site is None:
        raise Http404("No site answers this host.")
    language = get_language()
    found = (
        Author.objects.filter(slug=slug, locale__language_code=language)
        .select_related("photo")
        .first()
        if "\x00" not in slug
        else None
    )
    if found is None:
        raise Http404("No such author.")
    # The page shows the author, their articles among the lists of this language, and the
    # languages they are translated into (an author's change moves their language's lists).
    pagecache.depends_on(
        pagecache.object_tag(Author._meta.label, found.pk),
        *(pagecache.list_tag(code) for code, _name in settings.LANGUAGES),
    )
    articles = (
        public(ArticlePage.objects.live().filter(in_site_tree(chrome.site)))
        .filter(locale__language_code=language, article_authors__author=found)
        .as_cards()
    )
    paginator = Paginator(articles, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page", 1))
    # The same author in the other languages they are translated into (hreflang, the menu).
    alternates = {
        code: author_path(slug, code)
        for code in Author.objects.filter(translation_key=found.translation_key).values_list(
            "locale__language_code", flat=True
        )
    }
    description = found.bio.strip() or _("Articles by %(name)s.") % {"name": found.name}
    return TemplateResponse(
        request,
        "news/author.html",
        {
            "author": found,
            "articles": list(page_obj),
            "page_obj": page_obj,
            "paginator": paginator,
            "language_alternates": alternates,
            "meta_description": Truncator(description).chars(300),
            "json_ld": script(profile_page(found, request, language)),
        },
    )
