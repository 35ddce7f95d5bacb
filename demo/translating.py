"""Translating the demo through wagtail-localize, the way a translator would.

A ``TranslationSource`` of the Japanese object, a ``Translation`` per language, a
``StringTranslation`` for each extracted segment, then ``save_target``: the translation
records behind the demo are real, and the translation editor opens on them.
"""

from django.db import transaction
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments

from .articles import DemoContentError


def translate(instance, locale, translated):
    """Translate ``instance`` into ``locale`` with the texts of the unsaved ``translated``.

    ``translated`` is the same object written in the target language (same block ids); its
    segments are matched to the source's by content path and position. An object already
    translated into ``locale`` is left as it is.
    """
    if instance.get_translations().filter(locale=locale).exists():
        return
    source, _ = TranslationSource.get_or_create_from_instance(instance)
    translation, _ = Translation.objects.get_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    targets = strings_by_path(extract_segments(translated))
    segments = (
        StringSegment.objects.filter(source=source)
        .select_related("context", "string")
        .order_by("order")
    )
    seen = {}
    with transaction.atomic():
        for segment in segments:
            path = segment.context.path
            position = seen.get(path, 0)
            seen[path] = position + 1
            try:
                text = targets[path][position]
            except (KeyError, IndexError) as error:
                raise DemoContentError(
                    f"{instance}: no {locale.language_code} text for segment {path!r} "
                    f"#{position + 1} ({segment.string.data[:60]!r})"
                ) from error
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                    "tool_name": "",
                    "has_error": False,
                    "field_error": "",
                },
            )
    translation.save_target(publish=True)


def strings_by_path(segments):
    by_path = {}
    for segment in segments:
        if isinstance(segment, StringSegmentValue):
            by_path.setdefault(segment.path, []).append(segment.string.data)
    return by_path
