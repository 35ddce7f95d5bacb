"""The links every page's header and footer show, resolved for the reader's language."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.models import Locale, Page, Site, get_page_models

from .models import FooterLinks
from .visibility import restricted


def article_list_types():
    """The page types whose pages are a language's list of all articles (``is_article_list``)."""
    return [model for model in get_page_models() if getattr(model, "is_article_list", False)]


class SiteChrome:
    """Header and footer links of one request.

    Each link points at the page of the reader's language: editors choose the footer pages
    once (in ``FooterLinks``) and the chrome follows their translations. Computed once per
    request, in a fixed number of queries whatever the number of languages or links.
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
        """Home pages and article lists by language; this language's footer pages.

        Two queries whatever the number of languages and links: the footer settings, then
        every page the chrome links to (with the footer's chosen pages, whose translation
        keys lead to their translations into this language).
        """
        if self.site is None:
            return {}, {}, {}

        footer = FooterLinks.for_site(self.site)
        chosen = {getattr(footer, f"{name}_id"): name for name in FooterLinks.LINKS}
        chosen.pop(None, None)
        list_types = ContentType.objects.get_for_models(*article_list_types()).values()

        wanted = Q(translation_key=self.site.root_page.translation_key) | Q(
            content_type__in=list(list_types)
        )
        if chosen:
            # The chosen pages themselves (in any state: only their keys are read) and their
            # translations into this language.
            source_keys = Page.objects.filter(pk__in=chosen).values("translation_key")
            wanted |= Q(pk__in=chosen) | Q(
                translation_key__in=source_keys, locale__language_code=self.language_code
            )
        pages = list(
            Page.objects.filter(wanted)
            .annotate(restricted=restricted())
            .select_related("locale")
            .order_by("path")
        )
        readable = [page for page in pages if page.live and not page.restricted]

        root_key = self.site.root_page.translation_key
        list_type_ids = {content_type.pk for content_type in list_types}
        homes, indexes = {}, {}
        for page in readable:
            code = page.locale.language_code
            if page.translation_key == root_key:
                homes.setdefault(code, page)
            if page.content_type_id in list_type_ids:
                indexes.setdefault(code, page)

        key_to_name = {page.translation_key: chosen[page.pk] for page in pages if page.pk in chosen}
        links = {
            key_to_name[page.translation_key]: page
            for page in readable
            if page.locale.language_code == self.language_code
            and page.translation_key in key_to_name
        }
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
