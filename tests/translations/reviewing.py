"""What a translator's review does to machine-translated segments, for tests that publish."""

from wagtail_localize.models import StringTranslation


def mark_reviewed(locale):
    """Every machine-translated segment in ``locale`` reviewed, as the editor's save does."""
    return StringTranslation.objects.filter(
        locale=locale, translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE
    ).update(translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL, tool_name="")


def machine_segments(locale):
    return StringTranslation.objects.filter(
        locale=locale, translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE
    )
