"""Machine translation, chosen by the environment.

wagtail-localize reads ``WAGTAILLOCALIZE_MACHINE_TRANSLATOR``; ``cms/settings/base.py`` sets it
from :func:`machine_translator_from_env`. This module is imported by the settings, so it must not
import anything that needs configured settings (models, the app registry).
"""

from django.utils.translation import gettext_lazy as _
from wagtail_localize.machine_translators.base import BaseMachineTranslator
from wagtail_localize.strings import StringValue, lstrip_keep

DEEPL = "wagtail_localize.machine_translators.deepl.DeepLTranslator"
LIBRETRANSLATE = "wagtail_localize.machine_translators.libretranslate.LibreTranslator"
OFFLINE = "translations.machine.OfflineTranslator"


def machine_translator_from_env(environ):
    """The ``WAGTAILLOCALIZE_MACHINE_TRANSLATOR`` setting for these environment variables.

    ``DEEPL_API_KEY`` wins, then ``LIBRETRANSLATE_URL`` (with ``LIBRETRANSLATE_API_KEY`` when
    the server wants one); without either, the offline translator, so the demo and the tests
    never call the network. ``MACHINE_TRANSLATION_TIMEOUT`` (seconds) bounds each request.
    """
    options = {}
    timeout = environ.get("MACHINE_TRANSLATION_TIMEOUT", "").strip()
    if timeout:
        options["TIMEOUT"] = int(timeout)

    deepl_key = environ.get("DEEPL_API_KEY", "").strip()
    if deepl_key:
        # DeepL's free-tier keys end in ":fx"; the translator picks the matching endpoint.
        return {"CLASS": DEEPL, "OPTIONS": {**options, "AUTH_KEY": deepl_key}}

    libretranslate_url = environ.get("LIBRETRANSLATE_URL", "").strip().rstrip("/")
    if libretranslate_url:
        return {
            "CLASS": LIBRETRANSLATE,
            "OPTIONS": {
                **options,
                "LIBRETRANSLATE_URL": libretranslate_url,
                # The translator always sends a key; self-hosted servers accept an empty one.
                "API_KEY": environ.get("LIBRETRANSLATE_API_KEY", "").strip(),
            },
        }

    return {"CLASS": OFFLINE, "OPTIONS": {}}


def language_code(code):
    return code.split("-")[0]


class OfflineTranslator(BaseMachineTranslator):
    """A stand-in machine translator that never calls the network and never pretends.

    It does not translate: it returns the source text marked as machine output for the target
    language, ``[MT ja→en] 月面基地`` for ``月面基地``. So the whole workflow (machine translate,
    correct segment by segment, publish) can be tried on the demo and tested offline, and a
    reader or translator can see at a glance which text nobody has translated yet.
    """

    display_name = _("Offline translator (marks the source text, does not translate)")

    @staticmethod
    def marker(source_locale, target_locale):
        return f"[MT {source_locale.language_code}→{target_locale.language_code}] "

    def translate(self, source_locale, target_locale, strings):
        marker = self.marker(source_locale, target_locale)
        translations = {}
        for string in strings:
            # Keep leading whitespace in place: a segment can be part of a sentence.
            text, leading = lstrip_keep(string.data)
            translations[string] = StringValue(leading + marker + text)
        return translations

    def can_translate(self, source_locale, target_locale):
        return language_code(source_locale.language_code) != language_code(
            target_locale.language_code
        )
