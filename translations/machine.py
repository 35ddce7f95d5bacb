"""The offline machine translator.

wagtail-localize reads ``WAGTAILLOCALIZE_MACHINE_TRANSLATOR``, which the settings choose from
the environment (``cms.settings.environment``): DeepL, LibreTranslate, or this translator when
neither is configured, so the demo and the tests never call the network.
"""

from django.utils.translation import gettext_lazy as _
from wagtail_localize.machine_translators.base import BaseMachineTranslator
from wagtail_localize.strings import StringValue, lstrip_keep


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
