"""The links every page's header and footer show, resolved for the reader's language."""

from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.models import Locale, Page, get_page_models

from . import pagecache
from .models import FooterLinks
from .sites import request_site
from .visibility import restricted


def unions(querysets):
    """One subquery of the rows of every queryset (``UNION ALL``)."""
    first, *others = querysets
    return first.union(*others, all=True)


def article_list_types():
    """The page types whose pages are a language's list of all articles (``is_article_list``)."""
    return [model for model in get_page_models() if getattr(model, "is_article_list", False)]


class Link(NamedTuple):
    """A page the chrome links to: its id (``aria-current``) and its URL for this site."""

    pk: int
    url: str | None

    @classmethod
    def to(cls, page, request):
        return cls(page.pk, page.get_url(request))


class SiteChrome:
    """Header and footer links of one request.

    Each link points at the page of the reader's language: editors choose the footer pages
    once (in ``FooterLinks``) and the chrome follows their translations. Computed once per
    request, in a fixed number of queries whatever the number of languages or links, and
    kept in the page cache (``core.pagecache``) until a home page, an All Articles page, a
    footer page or the footer links change: an uncached page reads them from there. What is
    kept is each link's page id and URL (``Link``), not the pages: a page reads a few
    numbers and strings back, and resolves no URL.
    """

    def __init__(self, request):
        self.request = request
        self.site = request_site(request)
        self.language_code = get_language() or settings.LANGUAGE_CODE

    @cached_property
    def locale(self):
        try:
            return Locale.objects.get_for_language(self.language_code)
        except Locale.DoesNotExist:
            return Locale.get_default()

    @cached_property
    def site_name(self):
        return (self.site and self.site.site_name) or settings.WAGTAIL_SITE_NAME

    @cached_property
    def _pages(self):
        """Home pages and article lists by language; this language's footer pages (``Link``
        each), from the page cache (tag ``chrome``)."""
        if self.site is None:
            return {}, {}, {}
        return pagecache.cached(
            f"chrome-links:{self.site.pk}:{self.language_code}",
            [pagecache.CHROME],
            self._read_pages,
        )

    def _read_pages(self):
        """One query whatever the number of languages and links: every page the chrome links
        to, the footer's chosen pages found by the translation keys of the pages the footer
        settings (``FooterLinks``) point at, each marked with the links it answers.
        """
        footer = FooterLinks.objects.filter(site=self.site)
        # Each part reads an index (a translation key, a page type, a page's id), and they are
        # joined by UNION ALL, not OR: with OR, PostgreSQL reads every page of the site.
        chosen_keys = unions(
            footer.order_by().values(f"{name}__translation_key") for name in FooterLinks.LINKS
        )
        marks = {
            f"footer_{name}": Exists(
                footer.filter(**{f"{name}__translation_key": OuterRef("translation_key")})
            )
            for name in FooterLinks.LINKS
        }
        list_types = ContentType.objects.get_for_models(*article_list_types()).values()
        root_key = self.site.root_page.translation_key
        shown = unions(
            query.order_by().values("pk")
            for query in (
                Page.objects.filter(translation_key=root_key),
                Page.objects.filter(content_type__in=list(list_types)),
                Page.objects.filter(
                    translation_key__in=chosen_keys, locale__language_code=self.language_code
                ),
            )
        )
        pages = (
            Page.objects.filter(pk__in=shown)
            .annotate(restricted=restricted(), **marks)
            .select_related("locale")
            .order_by("path")
        )
        readable = [page for page in pages if page.live and not page.restricted]

        list_type_ids = {content_type.pk for content_type in list_types}
        homes, indexes, links = {}, {}, {}
        for page in readable:
            code = page.locale.language_code
            # A URL is the same for every request to this site (the key names the site): a
            # path on this site, a full URL on another one.
            link = Link.to(page, self.request)
            if page.translation_key == root_key:
                homes.setdefault(code, link)
            if page.content_type_id in list_type_ids:
                indexes.setdefault(code, link)
            if code == self.language_code:
                for name in FooterLinks.LINKS:
                    if getattr(page, f"footer_{name}"):
                        links[name] = link
        if self.language_code in indexes:
            links["article_index"] = indexes[self.language_code]
        return homes, links, indexes

    @cached_property
    def home(self):
        home = self._pages[0].get(self.language_code)
        if home is None and self.site is not None:
            home = Link.to(self.site.root_page, self.request)
        return home

    @property
    def home_pages(self):
        return self._pages[0]

    @property
    def article_index(self):
        return self._pages[1].get("article_index")

    @property
    def footer_pages(self):
        return self._pages[1]

    @property
    def article_indexes(self):
        """The All Articles page of every language that has one, by language code."""
        return self._pages[2]


def site_chrome(request):
    """The request's ``SiteChrome``, made once: the template's ``chrome`` and a view that
    needs the reader's locale or the site's name share it (and its queries)."""
    chrome = getattr(request, "_ukiyo_site_chrome", None)
    if chrome is None:
        chrome = request._ukiyo_site_chrome = SiteChrome(request)
    return chrome
