from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index
from wagtail_localize.fields import TranslatableField

from cms.models import BasePage


class HomePage(BasePage):
    """The front page of one language: latest and featured articles.

    One per locale, each the root of that language's tree (created by translating the
    source-language home page), so it has no ``max_count``.
    """

    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    intro = RichTextField(_("introduction"), features=settings.RICH_TEXT_INLINE, blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["news.ArticleIndexPage", "home.StandardPage"]

    content_panels = [*BasePage.content_panels, FieldPanel("tagline"), FieldPanel("intro")]

    translatable_fields = [
        *BasePage.translatable_fields,
        TranslatableField("tagline"),
        TranslatableField("intro"),
    ]

    api_fields = [APIField("tagline"), APIField("intro")]

    class Meta:
        verbose_name = _("home page")

    FEATURED_COUNT = 3
    LATEST_COUNT = 6

    @cached_property
    def article_index(self):
        from news.models import ArticleIndexPage

        return ArticleIndexPage.objects.child_of(self).live().first()

    def get_context(self, request, *args, **kwargs):
        from news.models import ArticlePage

        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.for_listing(locale=self.locale)
        # The newest featured article leads, however old; the other featured ones follow.
        featured = list(articles.filter(featured=True)[: self.FEATURED_COUNT])
        latest = list(articles.exclude(pk__in=[a.pk for a in featured])[: self.LATEST_COUNT])
        if not featured and latest:
            featured = [latest.pop(0)]
        context["lead_article"] = featured[0] if featured else None
        context["featured_articles"] = featured[1:]
        context["latest_articles"] = latest
        context["article_index"] = self.article_index
        return context


class StandardPage(BasePage):
    """A plain page of headings and paragraphs: legal texts, about, contact details."""

    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", icon="title", label=_("Heading"))),
            (
                "paragraph",
                blocks.RichTextBlock(features=settings.RICH_TEXT_PARAGRAPH, label=_("Paragraph")),
            ),
        ],
        blank=True,
        verbose_name=_("body"),
    )

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    content_panels = [*BasePage.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    translatable_fields = [
        *BasePage.translatable_fields,
        TranslatableField("summary"),
        TranslatableField("body"),
    ]

    api_fields = [APIField("summary"), APIField("body")]

    class Meta:
        verbose_name = _("standard page")
