"""What editors manage for cookie consent: per site, the policy version and the scripts that
need consent; per site and language, the texts of the banner."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.fields import StreamField
from wagtail.models import TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField

from .blocks import ScriptsBlock
from .cookie import ESSENTIAL, OPTIONAL_CATEGORIES


class ConsentSettings(BaseSiteSetting):
    """The site's cookie policy version and its scripts that need consent.

    Registered as a setting in ``wagtail_hooks.py``. The same for every language: scripts
    are not translated.
    """

    policy_version = models.PositiveIntegerField(
        _("policy version"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(999_999_999)],
        help_text=_(
            "Raise it when the cookie policy changes in a way readers must agree to again: "
            "every reader is then asked again, and no optional script runs until they answer."
        ),
    )
    scripts = StreamField(
        ScriptsBlock(),
        blank=True,
        verbose_name=_("scripts"),
        help_text=_(
            "Analytics, advertising and other scripts. Each runs only in the browsers of "
            "readers who allowed its category, never before they choose."
        ),
    )

    panels = [FieldPanel("policy_version"), FieldPanel("scripts")]

    class Meta:
        verbose_name = _("cookie consent")

    def scripts_as_json(self):
        return [script.value.as_json() for script in self.scripts]

    def cookie_patterns(self):
        """The cookie names and prefixes of each category's scripts."""
        patterns = {category: [] for category in OPTIONAL_CATEGORIES}
        for script in self.scripts:
            category = script.value.get("category")
            if category in patterns:
                patterns[category].extend(script.value.cookie_patterns)
        return patterns


class ConsentTexts(TranslatableMixin, models.Model):
    """The cookie banner's texts on one site, in one language; translated like pages.

    A field left empty shows the built-in text of the reader's language (``DEFAULTS``), so
    the banner speaks every site language before an editor writes anything.
    """

    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("site"),
    )
    title = models.CharField(_("banner title"), max_length=120, blank=True)
    text = models.TextField(_("banner text"), blank=True)
    essential_description = models.TextField(_("essential cookies: description"), blank=True)
    analytics_description = models.TextField(_("analytics cookies: description"), blank=True)
    marketing_description = models.TextField(_("marketing cookies: description"), blank=True)
    functional_description = models.TextField(_("functional cookies: description"), blank=True)

    DEFAULTS = {
        "title": _("Cookies on this site"),
        "text": _(
            "We use essential cookies to make this site work. With your consent, we also use "
            "cookies to measure readership, show relevant advertising and remember your "
            "preferences. You can change your mind at any time in Cookie Settings."
        ),
        "essential_description": _(
            "Needed for the site to work: they keep you signed in, protect forms, and remember "
            "your language and your cookie choice. They cannot be switched off."
        ),
        "analytics_description": _(
            "Count visits and show which articles are read and how readers find them, so that "
            "we can improve the site."
        ),
        "marketing_description": _(
            "Let advertising partners show advertisements that match your interests and "
            "measure how they perform."
        ),
        "functional_description": _(
            "Remember choices that make reading easier and enable embedded content, such as "
            "videos, that stores its own settings."
        ),
    }

    panels = [
        FieldPanel("site"),
        MultiFieldPanel(
            [FieldPanel("title"), FieldPanel("text")],
            heading=_("Banner"),
        ),
        MultiFieldPanel(
            [
                FieldPanel(f"{category}_description")
                for category in (ESSENTIAL, *OPTIONAL_CATEGORIES)
            ],
            heading=_("Categories on the Cookie Settings page"),
        ),
    ]

    translatable_fields = [
        SynchronizedField("site", overridable=False),
        TranslatableField("title"),
        TranslatableField("text"),
        *(
            TranslatableField(f"{category}_description")
            for category in (ESSENTIAL, *OPTIONAL_CATEGORIES)
        ),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("cookie banner texts")
        verbose_name_plural = _("cookie banner texts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "locale"],
                name="unique_consent_texts_per_site_and_locale",
            ),
        ]

    def __str__(self):
        return f"{self.site} ({self.locale})"

    def clean(self):
        # The admin form has no locale field, so Django skips the (site, locale) constraint.
        super().clean()
        if not self.site_id or not self.locale_id:
            return
        clash = ConsentTexts.objects.filter(site_id=self.site_id, locale_id=self.locale_id)
        if clash.exclude(pk=self.pk).exists():
            raise ValidationError(
                {
                    "site": _(
                        "This site already has cookie banner texts in this language: "
                        "edit those instead."
                    )
                }
            )

    # The page cache (core.pagecache, changes.invalidation): the banner of this language.
    page_cache_tags = ("consent:{language}",)

    def resolved(self, name):
        """The field's text, or the built-in one when the field is empty."""
        return getattr(self, name) or self.DEFAULTS[name]


class ConsentRecord(models.Model):
    """One consent choice, kept as proof that it was given (GDPR art. 7(1)).

    Pseudonymous: the reader is known only by the random ``consent_id`` that their consent
    cookie also holds, so that a reader who asks can have their records found. The client's
    address is never stored: only a keyed hash of its network (``consent.log``). Written
    once, never changed; deleted after ``CONSENT_LOG_RETENTION_DAYS`` by
    ``purge_consent_records``.
    """

    ACCEPT_ALL, REJECT_ALL, CUSTOM = "accept_all", "reject_all", "custom"
    BANNER, SETTINGS_PAGE = "banner", "settings_page"

    consent_id = models.CharField(_("consent id"), max_length=32, db_index=True)
    chosen_at = models.DateTimeField(_("chosen at"), db_index=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("site"),
    )
    policy_version = models.PositiveIntegerField(_("policy version"))
    choice = models.CharField(
        _("choice"),
        max_length=12,
        choices=[
            (ACCEPT_ALL, _("Accept all")),
            (REJECT_ALL, _("Reject all")),
            (CUSTOM, _("Custom choice")),
        ],
    )
    # The optional categories granted, in OPTIONAL_CATEGORIES order (essential always is).
    granted = models.JSONField(_("categories granted"), default=list)
    source = models.CharField(
        _("where chosen"),
        max_length=16,
        choices=[(BANNER, _("Cookie banner")), (SETTINGS_PAGE, _("Cookie Settings page"))],
    )
    language = models.CharField(_("language"), max_length=10)
    address_hash = models.CharField(_("address (keyed hash)"), max_length=16, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    #: What an export shows of a record, in order: the admin's export and inspect views and
    #: ``export_consent_records``.
    EXPORT_FIELDS = (
        "consent_id",
        "chosen_at",
        "site",
        "policy_version",
        "choice",
        "granted",
        "source",
        "language",
        "address_hash",
        "user_agent",
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-chosen_at", "-pk"]

    def __str__(self):
        return f"{self.consent_id} {self.chosen_at:%Y-%m-%d %H:%M} {self.choice}"
