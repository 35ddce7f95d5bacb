"""``{% translation_changes %}``: the panel of the translation editor that shows what changed in
the source since the translator last translated it (see :mod:`translations.changes`)."""

import json

from django import template

from ..changes import NEW, source_changes

register = template.Library()


def segment_labels(props):
    """{segment id: where the editor shows it ("Body › Paragraph")}, read from the props of
    wagtail-localize's editor, which lists exactly the segments it lets translators edit."""
    try:
        segments = json.loads(props)["segments"]
    except (TypeError, ValueError, KeyError):
        return None
    labels = {}
    for segment in segments:
        if segment.get("type") != "string":
            continue
        location = segment.get("location") or {}
        parts = [location.get("field"), location.get("subField")]
        labels[segment["id"]] = " › ".join(str(part) for part in parts if part)
    return labels


@register.inclusion_tag("translations/source_changes.html", takes_context=True)
def translation_changes(context):
    translation = context.get("translation")
    if translation is None:
        return {"changes": []}
    labels = segment_labels(context.get("props"))
    changes = []
    for change in source_changes(translation):
        if labels is not None and change.segment_id not in labels:
            continue  # a segment the editor does not show (a field without a panel)
        label = (labels or {}).get(change.segment_id) or change.path
        changes.append((label, change))
    return {
        "changes": changes,
        "changed_count": sum(1 for _, change in changes if change.kind != NEW),
        "new_count": sum(1 for _, change in changes if change.kind == NEW),
        "source_locale": translation.source.locale,
        "target_locale": translation.target_locale,
    }
