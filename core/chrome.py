"""The links every page's header and footer show, resolved for the reader's language."""

from django.conf import settings
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.models import Locale, Page, Site, get_page_models

from . import pagecache
from .models import FooterLinks


def article_list_types():
    """The page types whose pages are a language's list of all articles (``is_article_list``)."""
    return [model for model in get_page_models() if getattr(model, "is_article_list", False)]


class SiteChrome:
    """Header and footer links of one request.

    Each link points at the page of the reader's language: editors choose the footer pages
    once (in ``FooterLinks``) and the chrome follows their translations. Computed once per
    request, in a fixed number of queries whatever the number of languages or links, and
    kept in the page cache (``core.pagecache``) until a home page, an All Articles page, a
    footer page or the footer links change: an uncached page reads them from there.
    """

    def __init__(self, request):
        self.request = request
        self.site = Site.find_for_request(request)
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
        """Home pages and article lists by language; this language's footer pages."""
        if self.site is None:
            return {}, {}, {}
        return pagecache.cached(
            f"chrome:{self.site.pk}:{self.language_code}", [pagecache.CHROME], self._read_pages
        )

    def _read_pages(self):
        homes = {
            page.locale.language_code: page
            for page in Page.objects.live()
            .public()
            .filter(translation_key=self.site.root_page.translation_key)
            .select_related("locale")
        }

        links = {}
        footer = FooterLinks.for_site(self.site)
        chosen = {getattr(footer, f"{name}_id"): name for name in FooterLinks.LINKS}
        chosen.pop(None, None)
        if chosen:
            # The chosen pages and their translations into this language, in one query.
            source_keys = Page.objects.filter(pk__in=chosen).values("translation_key")
            candidates = Page.objects.filter(
                Q(pk__in=chosen) | Q(translation_key__in=source_keys, locale=self.locale)
            ).values_list("pk", "translation_key", "locale_id", "live")
            key_to_name = {key: chosen[pk] for pk, key, _, _ in candidates if pk in chosen}
            found = {
                key_to_name[key]: pk
                for pk, key, locale_id, live in candidates
                if locale_id == self.locale.pk and live and key in key_to_name
            }
            pages = Page.objects.filter(pk__in=found.values()).public().in_bulk()
            links = {name: pages[pk] for name, pk in found.items() if pk in pages}

        indexes = {}
        for model in article_list_types():
            for index in model.objects.live().public().select_related("locale"):
                indexes.setdefault(index.locale.language_code, index)
        if self.language_code in indexes:
            links["article_index"] = indexes[self.language_code]
        return homes, links, indexes

    @property
    def home(self):
        homes = self._pages[0]
        return homes.get(self.language_code) or (self.site and self.site.root_page)

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
