"""What every ukiyo page shares, and the site-wide settings editors manage."""

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page
from wagtail_localize.fields import SynchronizedField, TranslatableField


class BasePage(Page):
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

    class Meta:
        abstract = True

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


@register_setting(icon="list-ul")
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
