"""The consent configuration of one request's site and language, as pages render it.

Everything here is the same for every reader of a page (no cookie is read), so pages that
carry the banner stay cacheable. What pages render of it is kept in the page cache
(``core.pagecache``) until the consent settings or this language's texts change.
"""

from django.conf import settings
from django.db.models import JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant

from core import pagecache
from core.sites import request_site

from .cookie import (
    CATEGORY_LABELS,
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    ESSENTIAL,
    OPTIONAL_CATEGORIES,
    essential_cookie_names,
)
from .models import ConsentSettings, ConsentTexts

REQUEST_CACHE = "_consent_site"


class SiteConsent:
    """The policy version, scripts and banner texts of the request's site and language.

    Built once per request (``for_request``): the head script, the banner and the Cookie
    Settings page share it. What pages render comes from the page cache; reading it anew
    costs one query: the site's settings with the texts.
    """

    def __init__(self, request):
        self.request = request

    @classmethod
    def for_request(cls, request):
        if not hasattr(request, REQUEST_CACHE):
            setattr(request, REQUEST_CACHE, cls(request))
        return getattr(request, REQUEST_CACHE)

    @cached_property
    def site(self):
        return request_site(self.request)

    @cached_property
    def settings(self):
        if self.site is None:
            return ConsentSettings()  # defaults: version 1, no scripts
        return self._rows[0] or ConsentSettings.for_request(self.request)

    @cached_property
    def language(self):
        try:
            return get_supported_content_language_variant(get_language() or settings.LANGUAGE_CODE)
        except LookupError:
            return None

    @cached_property
    def shown(self):
        """What pages show: the policy version, texts and scripts, from the page cache."""
        if self.site is None:
            return self.read_shown()
        return pagecache.cached(
            f"consent:{self.site.pk}:{self.language}",
            [pagecache.CONSENT, pagecache.consent_tag(self.language)],
            self.read_shown,
        )

    def read_shown(self):
        texts = self.texts
        return {
            "policy_version": self.settings.policy_version,
            "texts": {
                name: str(texts.resolved(name))
                for name in ("title", "text", *(f"{c}_description" for c in CATEGORY_LABELS))
            },
            "services": self.read_services(),
            "scripts": self.settings.scripts_as_json(),
            "cookies": self.settings.cookie_patterns(),
        }

    @property
    def policy_version(self):
        return self.shown["policy_version"]

    @cached_property
    def texts(self):
        """The editors' texts for this site and language; unsaved (all built-in) if none."""
        if self.site is not None and self._rows[0] is None:
            return self._texts_of_a_site_without_settings()
        return self._rows[1] or ConsentTexts()

    @cached_property
    def _rows(self):
        """The site's consent settings with this language's texts, in one query.

        The texts come as one JSON object of their columns, so that a language without texts
        of its own costs no second query.
        """
        if self.site is None:
            return None, None
        columns = [field.attname for field in ConsentTexts._meta.concrete_fields]
        texts = ConsentTexts.objects.filter(
            site=OuterRef("site"), locale__language_code=self.language
        ).values(row=JSONObject(**{column: column for column in columns}))[:1]
        found = (
            ConsentSettings.objects.filter(site=self.site)
            .annotate(texts_row=Subquery(texts, output_field=JSONField()))
            .first()
        )
        if found is None:
            return None, None
        return found, ConsentTexts(**found.texts_row) if found.texts_row else None

    def _texts_of_a_site_without_settings(self):
        if not self.language:
            return ConsentTexts()
        found = ConsentTexts.objects.filter(
            site=self.site, locale__language_code=self.language
        ).first()
        return found or ConsentTexts()

    @property
    def title(self):
        return self.shown["texts"]["title"]

    @property
    def text(self):
        return self.shown["texts"]["text"]

    @cached_property
    def categories(self):
        """Every category with its label and description, essential first."""
        return [
            {
                "name": category,
                "label": CATEGORY_LABELS[category],
                "description": self.shown["texts"][f"{category}_description"],
                "essential": category == ESSENTIAL,
                "services": self.services.get(category, []),
            }
            for category in (ESSENTIAL, *OPTIONAL_CATEGORIES)
        ]

    @property
    def services(self):
        """Per category, the services whose scripts it allows: readers see who gets what."""
        return self.shown["services"]

    def read_services(self):
        services = {}
        for script in self.settings.scripts:
            value = script.value
            services.setdefault(value.get("category"), []).append(
                {"name": value.get("name"), "cookies": value.cookie_patterns}
            )
        return services

    def script_config(self):
        """The data ``consent.js`` reads from the page (json_script)."""
        return {
            "scripts": self.shown["scripts"],
            "cookies": self.shown["cookies"],
            "essential": sorted(essential_cookie_names()),
            "record": reverse("record_consent_choice"),
        }

    def head_config(self):
        """The attributes ``consent-mode.js`` reads from its own script element."""
        return {
            "cookie": COOKIE_NAME,
            "version": self.policy_version,
            "max_age": COOKIE_MAX_AGE,
        }
