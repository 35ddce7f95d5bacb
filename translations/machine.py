"""The offline machine translator.

wagtail-localize reads ``WAGTAILLOCALIZE_MACHINE_TRANSLATOR``, which the settings choose from
the environment (``cms.settings.environment``): DeepL, LibreTranslate, or this translator when
neither is configured, so the demo and the tests never call the network.
"""

from django.utils.translation import gettext_lazy as _
from wagtail_localize.machine_translators.base import BaseMachineTranslator
from wagtail_localize.strings import StringValue


def language_code(code):
    return code.split("-")[0]


class OfflineTranslator(BaseMachineTranslator):
    """A stand-in machine translator that never calls the network and never pretends.

    It does not translate: it returns each source text unchanged, as the draft a translator
    then writes over. Nothing is added to the text: that it still needs a translator is
    recorded beside it (wagtail-localize's ``StringTranslation.translation_type`` is
    ``"machine"`` until a translator saves the segment; see ``translations.review``), so a
    segment whose text is right as it is (a name, a number, a URL slug) is reviewed without
    editing, and no mark can ever reach a reader.
    """

    display_name = _("Offline translator (copies the source text)")

    def translate(self, source_locale, target_locale, strings):
        return {string: StringValue(string.data) for string in strings}

    def can_translate(self, source_locale, target_locale):
        return language_code(source_locale.language_code) != language_code(
            target_locale.language_code
        )


def machine_slug(translated, source):
    """A machine-translated slug segment made a slug of the target language's script.

    A service translates the slug's words ("Asteroid probe sample capsule to Earth"); the page
    needs ``asteroid-probe-sample-capsule-to-earth``, built by the rules of every other slug
    (``core.slugs.slugify_title``). A translation with no letter or digit keeps the source slug.
    """
    from core.slugs import slugify_title

    return slugify_title(translated) or source


def make_machine_slug_a_slug(sender, instance, created, **kwargs):
    """``post_save`` of ``StringTranslation``: wagtail-localize's own "Machine translate"
    button saves each segment as the service returned it; a slug segment is made a slug."""
    if instance.translation_type != instance.TRANSLATION_TYPE_MACHINE:
        return
    if instance.context.path != "slug":
        return
    slug = machine_slug(instance.data, instance.translation_of.data)
    if slug != instance.data:
        type(instance).objects.filter(pk=instance.pk).update(data=slug)
        instance.data = slug
