import html
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import Rendition
from wagtail.models import Orderable, PageManager, TranslatableMixin
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from api.images import SRCSET_SPECS, RenditionField, ResponsiveImageField, srcset_specs
from api.v3.write_fields import WriteField
from compat.wagtail_pages import publish_action_holding_dates
from core import pagecache
from core.chrome import site_chrome
from core.models import BasePage
from core.rich_text import resolved_page_links
from core.visibility import public

from .blocks import FIGURE_RENDITION, ArticleBodyBlock, ReferencesBlock, renditions_together
from .citations import beyond_references, reference_count
from .forms import ArticlePageForm
from .images import (
    ARTICLE_SRCSET,
    AUTHOR_PHOTO_RENDITION,
    CARD_RENDITION,
    CARD_SRCSET,
    LEAD_RENDITION,
    STRUCTURED_DATA_RENDITIONS,
)
from .pagination import ArticleListing
from .serializers import (
    AuthorsField,
    CategoryField,
    CorrectionsField,
    LanguageField,
    TagNamesField,
)

# How a v3 write names a category or an author (news.api.writes): by id or slug, or as read.
SNIPPET_REFERENCE = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}},
        },
    ]
}
# An article has at most this many authors (a v3 write with more is refused).
MAX_AUTHORS = 100


# ---------------------------------------------------------------------------
# Snippets
# ---------------------------------------------------------------------------


class SlugPerLocaleMixin:
    """A clear form error, not a database error, when a slug is taken in the same language.

    The admin form does not include ``locale``, so Django's constraint validation skips the
    (slug, locale) constraint; it is checked here instead.
    """

    def clean(self):
        super().clean()
        # A new snippet gets its locale when saved (Wagtail's pre_save): check against the
        # language it will have.
        locale_id = self.locale_id or self.get_default_locale().pk
        if not self.slug:
            return
        clash = type(self).objects.filter(slug=self.slug, locale_id=locale_id)
        if clash.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"slug": _("This slug is already used in this language. Choose another one.")}
            )


class Category(SlugPerLocaleMixin, TranslatableMixin, index.Indexed, models.Model):
    """A section of the publication (Space, Science, ...), translated like pages."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        allow_unicode=True,
        help_text=_("Used in the All Articles filter; the same in every language."),
    )
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    translatable_fields = [
        TranslatableField("name"),
        SynchronizedField("slug", overridable=False),
        TranslatableField("description"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "locale"], name="unique_category_slug_per_locale"
            ),
        ]

    def __str__(self):
        return self.name

    # name and slug are writable through v3 (``/api/v3/snippets/news.Category/``); a new
    # category is in the default language, its translations come from copy_for_translation.
    api_fields = [
        APIField("locale", serializer=LanguageField()),
        APIField("name", writable=True),
        APIField("slug", writable=True),
    ]

    def as_api_dict(self):
        return {"id": self.pk, "name": self.name, "slug": self.slug}

    # The page cache (core.pagecache, changes.invalidation): a category shows on its articles
    # and in every list of its language (the category menu, the cards).
    page_cache_tags = ("object:{label}:{pk}", "list:{language}")

    @classmethod
    def pages_showing(cls, pk):
        return ArticlePage.objects.live().filter(category_id=pk)


def author_path(slug, language):
    """The path of an author's page in ``language`` (``/ja/authors/<slug>/``): an author's
    slug is the same in every language they are translated into."""
    with translation.override(language):
        return reverse("author", kwargs={"slug": slug})


class Author(SlugPerLocaleMixin, TranslatableMixin, index.Indexed, models.Model):
    """A writer of articles; name, role and biography are translated."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo"),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    translatable_fields = [
        TranslatableField("name"),
        SynchronizedField("slug", overridable=False),
        TranslatableField("role"),
        TranslatableField("bio"),
        SynchronizedField("photo"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "locale"], name="unique_author_slug_per_locale"
            ),
        ]

    def __str__(self):
        return self.name

    api_fields = [
        APIField("locale", serializer=LanguageField()),
        APIField("name", writable=True),
        APIField("slug", writable=True),
        APIField("role", writable=True),
        APIField("bio", writable=True),
    ]

    def as_api_dict(self):
        return {"id": self.pk, "name": self.name, "slug": self.slug, "role": self.role}

    # The page cache: an author shows on their articles and their own page (with its feeds,
    # purged from a CDN when they change: changes.invalidation); their page in every
    # language names the languages they are translated into, which their language's lists
    # tag stands for (a new translation changes no author of the others).
    page_cache_tags = ("object:{label}:{pk}", "list:{language}")
    has_reader_page = True

    @classmethod
    def pages_showing(cls, pk):
        return ArticlePage.objects.live().filter(article_authors__author_id=pk).distinct()


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


class ArticleIndexPage(BasePage):
    """ "All Articles" of one language: newest first, paginated, filterable by category."""

    intro = RichTextField(_("introduction"), features=settings.RICH_TEXT_INLINE, blank=True)

    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.ArticlePage"]
    # One article list per language tree.
    max_count_per_parent = 1
    # The header's "All Articles" (core.chrome).
    is_article_list = True

    content_panels = [*BasePage.content_panels, FieldPanel("intro")]
    translatable_fields = [*BasePage.translatable_fields, TranslatableField("intro")]
    api_fields = [*BasePage.api_fields, APIField("intro")]

    class Meta:
        verbose_name = _("article index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pagecache.depends_on(pagecache.list_tag(self.language_code))
        categories = list(Category.objects.filter(locale_id=self.locale_id))
        articles = ArticlePage.objects.for_listing(locale=self.locale_id).child_of(self)

        selected = None
        category_slug = request.GET.get("category", "")
        if category_slug:
            selected = next((c for c in categories if c.slug == category_slug), None)
            # An unknown category shows an empty, clearly labelled list rather than everything.
            articles = articles.filter(category=selected) if selected else articles.none()

        # Numbered pages at the top, pages by cursor further back (news.pagination).
        listing = ArticleListing(
            articles,
            request.GET,
            settings.UKIYO_ARTICLES_PER_PAGE,
            base={"category": category_slug} if category_slug else None,
        )
        context.update(
            listing=listing,
            articles=listing.page if listing.page is not None else listing.object_list,
            paginator=listing.paginator,
            categories=categories,
            selected_category=selected,
            category_slug=category_slug,
            meta_description=self.meta_description(request, selected),
        )
        return context

    def meta_description(self, request, category=None):
        """The page's ``<meta name="description">``: the category's description on its page,
        else the page's own (search description, then its introduction), else a sentence
        naming the category or the site."""
        if category is not None:
            return category.description or _("The latest articles in %(name)s.") % {
                "name": category.name
            }
        intro = html.unescape(strip_tags(self.intro or "")).strip()
        return (
            self.search_description
            or intro
            or _("The latest articles of %(site)s.") % {"site": site_chrome(request).site_name}
        )


class ArticleQuerySet(PageQuerySet):
    def for_listing(self, locale):
        """Live articles of one language, newest first, with everything a card shows.

        The number of queries does not grow with the number of articles.
        """
        return public(self.live().filter(locale=locale)).as_cards()

    def as_cards(self):
        """These articles, newest first, with everything a card shows (``for_listing``
        without its filters, for articles already chosen by id).

        A card shows no body and no sources: they are left in the database (``defer``),
        which spares reading and decoding their JSON for every card.
        """
        return (
            self.defer("body", "references")
            .select_related("locale", "category", "lead_image")
            .prefetch_related(
                Prefetch(
                    "lead_image__renditions",
                    queryset=Rendition.objects.filter(filter_spec__in=CARD_SRCSET),
                )
            )
            .order_by("-display_date", "-pk")
        )

    def with_details(self):
        """What an article page and the API detail view read, in a fixed number of queries."""
        return self.select_related("locale", "category", "lead_image").prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
            ),
            "tags",
            Prefetch(
                "lead_image__renditions",
                queryset=Rendition.objects.filter(
                    filter_spec__in=[*CARD_SRCSET, LEAD_RENDITION, *ARTICLE_SRCSET, *SRCSET_SPECS]
                ),
            ),
        )


ArticlePageManager = PageManager.from_queryset(ArticleQuerySet)


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "news.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(BasePage):
    """A news article: a lead, numbered sections of blocks, and its sources."""

    subtitle = models.CharField(_("subtitle"), max_length=255, blank=True)
    summary = models.TextField(
        _("summary"), help_text=_("One or two sentences shown under the title and on cards.")
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead image"),
    )
    lead_image_caption = models.CharField(_("lead image caption"), max_length=255, blank=True)
    lead_image_credit = models.CharField(_("lead image credit"), max_length=255, blank=True)
    display_date = models.DateTimeField(
        _("publication date"),
        default=timezone.now,
        help_text=_(
            "The date and time readers see; the list is ordered by it. A time in the future "
            "schedules the article: publishing it makes it go live at that time, not now."
        ),
    )
    updated_date = models.DateTimeField(
        _("updated"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the article is corrected or substantially changed. A time in the future "
            "holds the change back until then."
        ),
    )
    # The date of the latest correction (``corrections``), kept on the page's row when it is
    # saved: the article's "Updated" date, feeds and structured data read it without
    # reading the corrections, and an article without any reads none.
    last_corrected_at = models.DateTimeField(null=True, blank=True, editable=False)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("category"),
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown prominently on the home page.")
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"))
    references = StreamField(
        ReferencesBlock(),
        blank=True,
        verbose_name=_("references"),
        help_text=_("The sources, numbered in this order; cite them by number in the body."),
    )

    objects = ArticlePageManager()

    # Checks each block's citations against the reference list, and applies the dates when
    # publishing (news.forms).
    base_form_class = ArticlePageForm

    # The language menu sends readers of an untranslated article to that language's list.
    falls_back_to_article_list = True

    parent_page_types = ["news.ArticleIndexPage"]
    subpage_types = []

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("subtitle"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading=_("Lead image"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("display_date"),
                FieldPanel("updated_date"),
                FieldPanel("category"),
                InlinePanel("article_authors", label=_("Authors")),
                FieldPanel("tags"),
                FieldPanel("featured"),
            ],
            heading=_("Publication"),
        ),
        FieldPanel("body"),
        FieldPanel("references"),
        InlinePanel(
            "corrections",
            label=_("Corrections and clarifications"),
            help_text=_(
                "Say what was wrong and what is right, or what was unclear. Readers see each "
                "at the end of the article, and its date as the article's update."
            ),
        ),
    ]

    search_fields = [
        *BasePage.search_fields,
        index.SearchField("subtitle"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("display_date"),
        index.FilterField("category"),
    ]

    translatable_fields = [
        *BasePage.translatable_fields,
        TranslatableField("subtitle"),
        TranslatableField("summary"),
        SynchronizedField("lead_image"),
        TranslatableField("lead_image_caption"),
        TranslatableField("lead_image_credit"),
        SynchronizedField("display_date"),
        SynchronizedField("updated_date"),
        SynchronizedField("featured"),
        TranslatableField("category"),  # points at the category's translation
        TranslatableField("article_authors"),  # each points at the author's translation
        SynchronizedField("tagged_items"),
        TranslatableField("body"),  # text translated, sources and images synchronised
        TranslatableField("references"),  # titles translated, URLs and dates synchronised
        TranslatableField("corrections"),  # each text translated, kind and date synchronised
    ]

    api_fields = [
        *BasePage.api_fields,
        # writable: v3 writes (PATCH, POST) with an API token; see api/v3/bodies.py.
        APIField("subtitle", writable=True),
        APIField("summary", writable=True),
        APIField("display_date"),
        APIField("updated_date"),
        APIField("featured"),
        APIField("category", serializer=CategoryField()),
        APIField("authors", serializer=AuthorsField()),
        APIField("tag_names", serializer=TagNamesField()),
        APIField("lead_image", writable=True),
        APIField("lead_image_caption", writable=True),
        APIField("lead_image_credit", writable=True),
        APIField(
            "lead_image_rendition",
            serializer=RenditionField(LEAD_RENDITION, source="lead_image"),
        ),
        APIField(
            "lead_image_thumbnail",
            serializer=RenditionField(CARD_RENDITION, source="lead_image"),
        ),
        APIField("lead_image_renditions", serializer=ResponsiveImageField(source="lead_image")),
        APIField("body", writable=True),
        APIField("references", writable=True),
        APIField("corrections", serializer=CorrectionsField(source="published_corrections")),
    ]

    # What v3 writes take besides, under the keys the API reads them at (api.v3.write_fields);
    # news.api.writes turns each value into the form's and names every mistake.
    api_write_fields = [
        WriteField(
            "category",
            json_schema={"anyOf": [*SNIPPET_REFERENCE["anyOf"], {"type": "null"}]},
            description="The article's category: its id (any of its languages' versions: the "
            "article's language's is used) or its slug, or the category as read; null for "
            "none.",
        ),
        WriteField(
            "article_authors",
            keys=("authors",),
            json_schema={"type": "array", "items": SNIPPET_REFERENCE, "maxItems": MAX_AUTHORS},
            description="The article's authors, in order, each by id or slug (or as read); "
            "replaces the list. [] for none.",
            on_create=list,
        ),
        WriteField(
            "display_date",
            json_schema={"type": "string", "format": "date-time"},
            description="The date and time readers see, with its offset from UTC "
            "(2025-06-22T14:15:00+09:00). A future one holds the article back until then when "
            "it is published.",
            on_create=timezone.now,
        ),
        WriteField(
            "lead_image",
            keys=("lead_image_id", "lead_image"),
            json_schema={"anyOf": [{"type": "integer"}, {"type": "null"}]},
            description="The lead image's id; null removes it. Also taken as `lead_image`: an "
            "id, or the image as read.",
        ),
    ]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        # The order of every list of articles, newest first (All Articles, its pages by
        # cursor, the v3 cards, the home page), and the same within a category. Scanned
        # backwards; docs/architecture.md shows the plans they serve.
        indexes = [
            models.Index(fields=["display_date", "page_ptr"], name="article_by_date"),
            models.Index(
                fields=["category", "display_date", "page_ptr"], name="article_category_by_date"
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.updated_date and self.display_date and self.updated_date < self.display_date:
            errors["updated_date"] = _("The update cannot be earlier than the publication date.")
        # In the admin and the API a form checks citations block by block instead, and reports
        # each at the block that cites the missing source; this is for saves without a form.
        highest = 0
        if reference_count() is None:
            highest = max(beyond_references(self.cited_numbers(), len(self.references)), default=0)
        if highest:
            errors["body"] = ngettext(
                "The body cites source %(number)d but the reference list has %(count)d source.",
                "The body cites source %(number)d but the reference list has %(count)d sources.",
                len(self.references),
            ) % {"number": highest, "count": len(self.references)}
        if errors:
            raise ValidationError(errors)

    # -- when readers see it ------------------------------------------------

    def go_live_moment(self):
        """The moment readers may first see this version: no date they read is in the future.

        The latest of the publication date, the update date, the go-live the editor chose and,
        for a translation, the go-live its source is scheduled for (a translation never goes
        out before the original).
        """
        moments = [self.display_date, self.updated_date, self.go_live_at, self.source_go_live()]
        return max((moment for moment in moments if moment), default=None)

    def source_go_live(self):
        """When the source-language article is scheduled to go live, if it is not live yet."""
        if self.pk is None or not self.translation_key:
            return None
        source = (
            ArticlePage.objects.filter(translation_key=self.translation_key, live=False)
            .filter(locale__language_code=settings.LANGUAGE_CODE)
            .exclude(pk=self.pk)
            .first()
        )
        if source is None:
            return None
        scheduled = source.scheduled_revision
        return scheduled.approved_go_live_at if scheduled else None

    def hold_until_dates(self, now=None):
        """Make this version go live no earlier than ``go_live_moment``; True if it changed.

        Wagtail then keeps it scheduled (``go_live_at``; the revision's
        ``approved_go_live_at``) rather than live, and publishes it at that moment. For an
        article readers cannot see yet, the date they will read is the moment it goes live:
        a go-live later than the publication date becomes the publication date, and an update
        date before it is dropped (nothing was corrected before publication).
        """
        moment = self.go_live_moment()
        if moment is None or moment <= (now or timezone.now()):
            return False
        changed = self.go_live_at != moment
        self.go_live_at = moment
        unseen = self.pk is None or not self.live
        if unseen and self.display_date and self.display_date < moment:
            self.display_date = moment
            if self.updated_date and self.updated_date < moment:
                self.updated_date = None
            changed = True
        return changed

    def publish(
        self,
        revision,
        user=None,
        changed=True,
        log_action=True,
        previous_revision=None,
        skip_permission_checks=False,
    ):
        # Every way of publishing (the admin, API writes, translations, workflows, scheduled
        # publishing) comes here or to Page's publish action, which news replaces by the same.
        return publish_action_holding_dates()(
            revision,
            user=user,
            changed=changed,
            log_action=log_action,
            previous_revision=previous_revision,
        ).execute(skip_permission_checks=skip_permission_checks)

    @classmethod
    def detail_queryset(cls):
        # Its authors, tags and renditions are left to prefetch_for_reading: a page whose
        # article is kept by the page cache (the template's ``kept`` parts) reads none of them.
        return super().detail_queryset().select_related("category", "lead_image")

    def prefetch_for_reading(self, *, body=True):
        """The authors and tags; the body's blocks, and the renditions of the lead and social
        images and of every figure in one query. Once per page object. ``body=False``: all
        but the body's blocks (the APIs keep its representation on their own: api.parts)."""
        if self.__dict__.get("_read_whole"):
            return
        if not self.__dict__.get("_read_rows"):
            self._read_rows = True
            prefetch_related_objects(
                [self],
                Prefetch(
                    "article_authors",
                    queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
                ),
                "tags",
                *(["corrections"] if self.last_corrected_at else []),
            )
        self._read_whole = body
        with renditions_together(self.lead_image, self.social_image):
            if body:
                for _block in self.body:  # converts every block of the body at once
                    pass

    def images_read_ahead(self):
        return [image for image in (self.lead_image, self.social_image) if image is not None]

    def renditions_needed(self):
        """The social image; the lead image as the article page, cards, sharing, structured
        data and both APIs show it; every body figure; the authors' photos (their pages)."""
        yield from super().renditions_needed()
        if self.lead_image is not None:
            yield (
                self.lead_image,
                (
                    LEAD_RENDITION,
                    *ARTICLE_SRCSET,
                    CARD_RENDITION,
                    *CARD_SRCSET,
                    *STRUCTURED_DATA_RENDITIONS,
                    *srcset_specs(self.lead_image),
                ),
            )
        for section in self.body:
            for block in section.value["content"]:
                if block.block_type == "image" and block.value.get("image") is not None:
                    image = block.value["image"]
                    yield image, (FIGURE_RENDITION, *ARTICLE_SRCSET, *srcset_specs(image))
        for author in self.authors:
            yield author.photo, (AUTHOR_PHOTO_RENDITION,)

    def row_cache_tags(self):
        # Also the name of its category.
        tags = super().row_cache_tags()
        if self.category_id:
            tags.append(pagecache.object_tag(Category._meta.label, self.category_id))
        return tags

    def page_cache_tags(self):
        # Also the names of its authors.
        tags = super().page_cache_tags()
        tags.extend(pagecache.object_tag(Author._meta.label, author.pk) for author in self.authors)
        return tags

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # Render now, inside the page view (core.sites.serve): the parts of the article the
        # page cache keeps (``kept`` in the template) come from it, and the page links of the
        # whole body, when it is rendered, are resolved in one go.
        body_links = partial(self.body.stream_block.linked_page_ids, self.body)
        with resolved_page_links(body_links):
            return response.render()

    # -- derived values ---------------------------------------------------

    @cached_property
    def authors(self):
        """The authors in their order on the article, in two queries however many there are.

        Read from the in-memory relation, so that a preview shows unsaved changes.
        """
        links = [link for link in self.article_authors.all() if link.author_id]
        prefetched = {
            link.author_id: link.author for link in links if ArticleAuthor.author.is_cached(link)
        }
        missing = {link.author_id for link in links} - prefetched.keys()
        if missing:
            prefetched.update(Author.objects.in_bulk(missing))
        return [prefetched[link.author_id] for link in links if link.author_id in prefetched]

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "corrections" in update_fields:
            dates = [correction.published for correction in self.corrections.all()]
            self.last_corrected_at = max(dates, default=None)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "last_corrected_at"}
        return super().save(*args, **kwargs)

    @cached_property
    def published_corrections(self):
        """The corrections and clarifications, the latest first: from the in-memory relation
        (a preview shows unsaved ones), and from the database only for an article that has
        some (``last_corrected_at``)."""
        in_memory = "corrections" in getattr(self, "_cluster_related_objects", {})
        prefetched = "corrections" in getattr(self, "_prefetched_objects_cache", {})
        if not (in_memory or prefetched or self.last_corrected_at):
            return []
        return sorted(self.corrections.all(), key=lambda c: (c.published, c.pk or 0), reverse=True)

    @cached_property
    def last_modified(self):
        """When the article last changed for its readers: its update date or its latest
        correction, whichever is later (None if neither)."""
        if "corrections" in getattr(self, "_cluster_related_objects", {}):  # a preview
            latest = max((c.published for c in self.corrections.all()), default=None)
        else:
            latest = self.last_corrected_at
        return max((date for date in (self.updated_date, latest) if date is not None), default=None)

    @cached_property
    def tag_names(self):
        return sorted(tag.name for tag in self.tags.all())

    def numbered_sections(self):
        """(number, section) pairs; the number is derived from the order, never typed."""
        return list(enumerate(self.body, start=1))

    @cached_property
    def numbered_references(self):
        """Reference number → the reference's value (title, publisher, url, domain...)."""
        return {number: block.value for number, block in enumerate(self.references, start=1)}

    def citations(self, numbers):
        """The references cited by ``numbers``, in the cited order, unknown numbers dropped."""
        references = self.numbered_references
        return [(number, references[number]) for number in numbers if number in references]

    def cited_numbers(self):
        for section in self.body:
            for child in section.value["content"]:
                value = child.value
                if child.block_type in ("paragraph", "quote"):
                    yield from value.get("sources") or []
                elif child.block_type == "list":
                    for item in value["items"]:
                        yield from item.get("sources") or []
                        for nested in item.get("children") or []:
                            yield from nested.get("sources") or []


class ArticleCorrection(TranslatableMixin, Orderable):
    """A dated correction or clarification of an article, shown at its end; translated with
    the article."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")

    page = ParentalKey(ArticlePage, related_name="corrections", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    published = models.DateTimeField(
        _("date"), default=timezone.now, help_text=_("When readers were told.")
    )
    text = models.TextField(
        _("text"),
        help_text=_(
            "A correction: what the article said, and what is right. A clarification: "
            "what was unclear, and what it means."
        ),
    )

    panels = [FieldPanel("kind"), FieldPanel("published"), FieldPanel("text")]
    translatable_fields = [
        SynchronizedField("kind"),
        SynchronizedField("published"),
        TranslatableField("text"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.published:%Y-%m-%d})"

    def as_api_dict(self):
        return {
            "kind": self.kind,
            "published": self.published.isoformat(),
            "text": self.text,
        }


class ArticleAuthor(TranslatableMixin, Orderable):
    """Links an article to an author; translated so each language links its own author."""

    page = ParentalKey(ArticlePage, related_name="article_authors", on_delete=models.CASCADE)
    author = models.ForeignKey(
        Author, on_delete=models.CASCADE, related_name="+", verbose_name=_("author")
    )

    panels = [FieldPanel("author")]

    # Wagtail's v3 writes fill an inline relation's rows with the fields its rows declare
    # writable: an article's ``authors`` become these rows (ArticlePage.api_write_fields).
    api_fields = [APIField("author", writable=True)]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("article author")
