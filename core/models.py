"""What every ukiyo page shares, and the site-wide settings editors manage."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page
from wagtail_localize.fields import SynchronizedField, TranslatableField

from compat.wagtail_pages import SlugFromTitleMixin
from preview.tokens import redirect_to_frontend

from . import pagecache
from .forms import BasePageForm
from .serializers import AlternatesField
from .slugs import NO_SLUG_MESSAGE, slugify_title, validate_slug


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

    def get_context(self, request, *args, **kwargs):
        # The page cache (core.pagecache): this page, and its language menu, change when it or
        # one of its translations is published, unpublished, moved or deleted.
        pagecache.depends_on(pagecache.page_tag(self.translation_key))
        return super().get_context(request, *args, **kwargs)

    @cached_property
    def live_translations(self):
        """This page in every language it is published in, this one included, by locale code.

        Feeds ``hreflang`` alternates and the language menu; one query.
        """
        translations = (
            Page.objects.filter(translation_key=self.translation_key)
            .live()
            .public()
            .select_related("locale")
        )
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
