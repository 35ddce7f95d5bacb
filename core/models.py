"""What every ukiyo page shares, and the site-wide settings editors manage."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, PageViewRestriction
from wagtail_localize.fields import SynchronizedField, TranslatableField

from compat.wagtail_pages import SlugFromTitleMixin
from preview.tokens import redirect_to_frontend

from . import pagecache
from .forms import BasePageForm
from .serializers import AlternatesField
from .slugs import NO_SLUG_MESSAGE, slugify_title, validate_slug
from .visibility import public, restricted

# The one size of a page's social image (og:image in cms/templates/base.html).
SOCIAL_RENDITION = "width-1200|format-webp"


class BasePage(SlugFromTitleMixin, Page):
    """Abstract base of every ukiyo page type.

    Translation policy (read by wagtail-localize): text a reader reads is translated; facts
    that are the same in every language (images, dates, links to other objects' ids) are
    synchronised from the source page, so a correction in Japanese reaches every language.
    Subclasses extend ``translatable_fields`` rather than redefining it.
    """

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("social image"),
        help_text=_("Shown when the page is shared; the lead image is used when empty."),
    )

    promote_panels = [
        MultiFieldPanel(
            [
                FieldPanel("slug"),
                FieldPanel("seo_title"),
                FieldPanel("search_description"),
                FieldPanel("social_image"),
            ],
            heading=_("For search engines and sharing"),
        ),
        FieldPanel("show_in_menus"),
    ]

    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        SynchronizedField("social_image"),
    ]

    base_form_class = BasePageForm

    # Site chrome (core.chrome): a page type whose page, one per language, lists all articles
    # sets ``is_article_list``; the header links to it, and the language menu sends readers
    # of a page that ``falls_back_to_article_list`` there when the page has no translation
    # in their language (other pages fall back to that language's home page).
    is_article_list = False
    falls_back_to_article_list = False

    # Every page type's API output starts with these; subclasses extend the list.
    api_fields = [APIField("alternates", serializer=AlternatesField(source="live_translations"))]

    class Meta:
        abstract = True

    # A missing slug is built from the title in any script (compat.wagtail_pages): Wagtail's
    # own would drop Hindi and Thai vowel signs.
    slug_from_title = staticmethod(slugify_title)

    def clean_fields(self, exclude=None):
        """Django's field validation, with ukiyo's slug rules instead of Django's."""
        exclude = set(exclude or ())
        errors = {}
        try:
            super().clean_fields(exclude=exclude | {"slug"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "slug" not in exclude:
            try:
                if not self.slug:
                    raise ValidationError(NO_SLUG_MESSAGE, code="no_slug")
                validate_slug(self.slug)
                if len(self.slug) > self._meta.get_field("slug").max_length:
                    raise ValidationError(_("The slug is too long."), code="max_length")
            except ValidationError as error:
                errors.setdefault("slug", []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)

    def serve_preview(self, request, mode_name):
        """The configured frontend renders previews when there is one (headless preview).

        A page being created has no id yet, which the frontend's detail shape requires: it
        keeps the admin's own HTML preview until its first draft is saved.
        """
        if settings.UKIYO_FRONTEND_PREVIEW_URL and self.pk:
            return redirect_to_frontend(self, request, mode_name)
        return super().serve_preview(request, mode_name)

    # -- serving: a fixed number of queries however deep the page -----------

    @classmethod
    def detail_queryset(cls):
        """Where one page of this type is read from to be shown whole (its page, the APIs'
        detail): subclasses add the related rows they show. A row joined here is kept with
        the page's route (``core.sites``): its tag belongs in ``row_cache_tags``."""
        return cls.objects.select_related("locale", "social_image")

    def prefetch_for_reading(self, *, body=True):
        """Fetch at once what showing the whole page reads later (a subclass's body images,
        say); called by ``serve`` and the APIs' detail before they render. ``body=False``:
        all but what its StreamFields' blocks read (what the APIs keep of a page:
        ``api.access.read_page``)."""

    def images_read_ahead(self):
        """The images beside its StreamFields whose renditions ``prefetch_for_reading`` reads
        in advance: what keeps the page so read depends on their renditions
        (``pagecache.renditions_tag``)."""
        return []

    def renditions_needed(self):
        """``(image, specs)`` for every image readers' pages and the APIs show of this page,
        with the specs they show it at; the worker makes them when the page is published
        (``core.renditions``). Subclasses add their own images."""
        yield self.social_image, (SOCIAL_RENDITION,)

    def route(self, request, path_components):
        """Wagtail's routing, with the whole path looked up at once.

        Wagtail walks the path one level at a time, two queries a level (the child, then its
        specific page). When no page on the way has routing of its own, one query brings
        every page on the path, whether a view restriction covers each, and the last one's
        translations (its ``live_translations``); a second reads the page itself from its
        type's ``detail_queryset``, however deep it lies. Anything else (a path that does not
        resolve to a page, a page type that routes itself) takes Wagtail's walk.
        """
        if not path_components:
            if not hasattr(self, "_routed_ancestors"):
                self._routed_ancestors = ()  # the page routing starts from (a home page)
            return super().route(request, path_components)
        if any("\x00" in component for component in path_components):
            raise Http404  # no slug holds one, and PostgreSQL refuses it in a query
        url_paths, url_path = [], self.url_path
        for component in path_components:
            url_path += f"{component}/"
            url_paths.append(url_path)
        in_tree = Q(path__startswith=self.path, depth__gt=self.depth)
        on_path = Page.objects.filter(in_tree, url_path__in=url_paths)
        target_key = Page.objects.filter(in_tree, url_path=url_paths[-1]).values("translation_key")
        translations = Page.objects.filter(translation_key__in=target_key)
        # Each part reads an index (the URL paths, the translation key), joined by UNION ALL:
        # with OR, PostgreSQL reads every page of the site (core.migrations.0002).
        wanted = (
            on_path.order_by().values("pk").union(translations.order_by().values("pk"), all=True)
        )
        pages = list(
            Page.objects.filter(pk__in=wanted)
            .annotate(restricted=restricted())
            .select_related("locale")
        )
        found = {
            page.url_path: page
            for page in pages
            if page.path.startswith(self.path) and page.depth > self.depth
        }
        chain = [found.get(url_path) for url_path in url_paths]
        plain = all(
            page is not None
            and page.depth == self.depth + depth
            and page.specific_class is not None
            and page.specific_class.route is BasePage.route
            for depth, page in enumerate(chain, start=1)
        )
        if not plain:
            return super().route(request, path_components)
        target = chain[-1].specific_class.detail_queryset().get(pk=chain[-1].pk)
        parents = [self, *chain[:-1]]
        # What Wagtail's walk leaves behind: the parent (no query for get_parent); and here
        # the ancestors and whether a restriction covers the page, for the view restriction
        # check (get_view_restrictions), and the translations.
        target._cached_parent_obj = parents[-1]
        target._routed_ancestors = tuple(parents)
        target._routed_restricted = chain[-1].restricted
        target.__dict__["live_translations"] = {
            page.locale.language_code: page
            for page in pages
            if page.translation_key == target.translation_key and page.live and not page.restricted
        }
        return target.route(request, [])

    def get_view_restrictions(self):
        """The view restrictions on this page and its ancestors; no query after routing.

        Wagtail reads the ancestors first, to resolve aliases (an alias page and its
        descendants follow their source page's restrictions). Routing has already read them,
        and whether a restriction covers the page: when none is an alias, there is nothing
        to check for a page no restriction covers, and otherwise the restrictions are those
        on the pages whose tree paths prefix this one's.
        """
        ancestors = getattr(self, "_routed_ancestors", None)
        known = ancestors is not None and {page.depth for page in ancestors} >= set(
            range(2, self.depth)
        )
        if not known or self.alias_of_id or any(page.alias_of_id for page in ancestors):
            return super().get_view_restrictions()
        if getattr(self, "_routed_restricted", None) is False:
            return PageViewRestriction.objects.none()
        step = Page.steplen
        prefixes = [self.path[:end] for end in range(step, len(self.path) + 1, step)]
        return PageViewRestriction.objects.filter(page__path__in=prefixes)

    def row_cache_tags(self):
        """What the page as its ``detail_queryset`` reads it shows, for the page cache
        (core.pagecache): it, and its language menu, change when it or one of its translations
        is published, unpublished, moved or deleted. Subclasses add the snippets their row
        joins (a category). Read without a query: a kept route depends on them."""
        return [pagecache.page_tag(self.translation_key)]

    def page_cache_tags(self):
        """Everything the whole page shows (after ``prefetch_for_reading``): its row's tags,
        and subclasses add what they read beside it (authors)."""
        return self.row_cache_tags()

    def get_context(self, request, *args, **kwargs):
        pagecache.depends_on(pagecache.page_tag(self.translation_key))
        return super().get_context(request, *args, **kwargs)

    @cached_property
    def language_code(self):
        """This page's language code, without a query of its own when routing read its locale
        or its translations (a home page: Wagtail's routing reads neither, and its language
        menu reads its translations anyway)."""
        if self.pk and not Page.locale.is_cached(self):
            for code, page in self.live_translations.items():
                if page.pk == self.pk:
                    return code
        return self.locale.language_code

    @cached_property
    def live_translations(self):
        """This page in every language it is published in, this one included, by locale code.

        Feeds ``hreflang`` alternates and the language menu; one query.
        """
        translations = public(
            Page.objects.filter(translation_key=self.translation_key).live()
        ).select_related("locale")
        return {page.locale.language_code: page for page in translations}


def footer_page(verbose_name):
    return models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=verbose_name,
    )


class FooterLinks(BaseSiteSetting):
    """The legal and contact pages linked from every page's footer.

    Editors choose the page once, in the source language; each reader gets that page's
    translation in their own language.
    """

    LINKS = ("contact_page", "terms_page", "privacy_page", "cookie_page")

    contact_page = footer_page(_("contact page"))
    terms_page = footer_page(_("terms of service page"))
    privacy_page = footer_page(_("privacy policy page"))
    cookie_page = footer_page(_("cookie policy page"))

    panels = [FieldPanel(name) for name in LINKS]

    class Meta:
        verbose_name = _("footer links")


class SearchVectorColumn(models.TextField):
    """The words of a document as PostgreSQL searches them: a ``tsvector``, written from its
    text form (``core.fulltext.store``), never read back. Elsewhere an unused text column:
    SQLite keeps the words in its FTS5 table."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class SearchDocument(models.Model):
    """What a page's words are found by (``core.fulltext``): one row per page.

    ``title`` and ``text`` are the page's searchable text as a reader reads it (the text of
    a result's highlighted extract); the words stored for searching are on PostgreSQL
    ``vector`` (every word, a ``tsvector`` under a GIN index: what a search matches) and
    ``head`` (the title and the opening of the text, small enough to stay in the row: what
    results are ranked by and titles suggested from, under a GIN index too), on SQLite the
    FTS5 table ``core_searchdocument_fts``. Whether a page is found is decided by the page
    itself (live, public, of the reader's language) when it is searched, never by this row.
    """

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    language_code = models.CharField(max_length=100)
    date = models.DateTimeField(null=True)
    title = models.TextField()
    text = models.TextField()
    vector = SearchVectorColumn(null=True, editable=False)
    head = SearchVectorColumn(null=True, editable=False)

    class Meta:
        verbose_name = _("search document")
        indexes = [
            # A language's newest pages (where a search's ranked matches end), and those of
            # them that match (core.fulltext.query.recent_first).
            models.Index(fields=["language_code", "date"], name="search_document_recent"),
        ]

    def __str__(self):
        return self.title
