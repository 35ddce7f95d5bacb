"""What changed in a translation's source since its translator last translated it.

wagtail-localize keeps no copy of the previous source when a translation is synced: the
``StringSegment`` rows are extracted again and point at the new ``String``. What it does keep is
the translator's work: a ``StringTranslation`` is keyed by (source ``String``, context, locale),
so the translation of the old text of a segment is still there, and its ``translation_of`` is the
old source text. For each segment of the current source, in the target language:

- a translation of the current text exists: the segment is up to date, not listed;
- only translations of other texts exist: the segment **changed**; the most recently updated of
  them is what the translator last worked on, and its source is the old text;
- no translation at all: the segment is **new** (or was left empty before the sync: the two
  cannot be told apart, since the old segment list is gone).

Nothing is listed for a translation whose source was not synced after the translation was
created (every empty segment would then look "new"), nor for one where no segment was ever
translated. The cost is two queries whatever the number of segments.
"""

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from wagtail_localize.models import StringSegment, StringTranslation

CHANGED = "changed"
NEW = "new"

# Scripts written without spaces between words (Han, kana, Hangul syllables are spaced but
# compared per character too, Thai, Lao, Khmer, Myanmar): a word diff would turn a one-character
# correction into a whole-sentence replacement, so they are compared character by character.
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3000-\u30ff"  # CJK punctuation, hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uac00-\ud7af"  # Hangul syllables
    "\uff00-\uffef"  # full-width forms
)
_TAG = re.compile(r"(<[^>]*>)")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD = re.compile(
    rf"[{_UNSPACED}]"  # one character of an unspaced script
    rf"|[^\W{_UNSPACED}]+"  # a word of a spaced script
    rf"|\s+"
    rf"|.",
    re.DOTALL,
)


@dataclass(frozen=True)
class Piece:
    """A run of a segment's text: ``kind`` is ``equal``, ``removed`` or ``added``; ``tag`` says
    it is an inline tag of the segment's markup (``<a id="a1">``), shown as a marker."""

    kind: str
    text: str
    tag: bool = False


def tokens(data):
    """A segment's stored text (an HTML fragment: entities, ``<br>`` for new lines, inline tags)
    as (text, is tag) tokens, cut where a reader would see a difference start: words, or
    characters of the scripts that put no spaces between words, tags, spaces, punctuation.
    The text is unescaped: it is escaped once, when rendered."""
    result = []
    for n, part in enumerate(_TAG.split(data)):
        if n % 2:
            result.append(("\n", False) if _BREAK.fullmatch(part) else (part, True))
        elif part:
            result.extend((word, False) for word in _WORD.findall(html.unescape(part)))
    return result


def _merge(pieces, kind, parts):
    for text, tag in parts:
        last = pieces[-1] if pieces else None
        if last and last.kind == kind and not last.tag and not tag:
            pieces[-1] = Piece(kind, last.text + text)
        else:
            pieces.append(Piece(kind, text, tag))


def display(data):
    """The pieces of a segment's stored text, shown as it is."""
    pieces = []
    _merge(pieces, "equal", tokens(data))
    return pieces


def diff(old, new):
    """The pieces that turn the segment text ``old`` into ``new``."""
    a, b = tokens(old), tokens(new)
    pieces = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            _merge(pieces, "equal", a[i1:i2])
        else:
            # A replacement reads as the old words struck out, then the new ones.
            _merge(pieces, "removed", a[i1:i2])
            _merge(pieces, "added", b[j1:j2])
    return pieces


@dataclass(frozen=True)
class SegmentChange:
    kind: str  # CHANGED or NEW
    segment_id: int
    path: str  # the segment's place in the source, as wagtail-localize names it
    new_source: str  # the stored texts (HTML fragments)
    old_source: str = ""
    old_translation: str = ""  # the translator's text for the old source

    @property
    def is_new(self):
        return self.kind == NEW

    @property
    def pieces(self):
        """The diff from the old source to the new one (empty for a new segment)."""
        return diff(self.old_source, self.new_source) if self.kind == CHANGED else []

    @property
    def source_pieces(self):
        return display(self.new_source)

    @property
    def translation_pieces(self):
        return display(self.old_translation)


def source_changes(translation):
    """The :class:`SegmentChange` of every string segment of ``translation``'s source whose
    text differs from the one last translated into its target language, in source order."""
    source, locale = translation.source, translation.target_locale
    if source.last_updated_at <= translation.created_at:
        return []
    segments = list(
        StringSegment.objects.filter(source=source)
        .select_related("string", "context")
        .order_by("order")
    )
    latest = {}  # context id -> the most recently updated translation in ``locale``
    current = set()  # context ids translated for their current source text
    strings = {segment.context_id: segment.string_id for segment in segments}
    for string_translation in (
        StringTranslation.objects.filter(locale=locale, context_id__in=strings)
        .select_related("translation_of")
        .order_by("updated_at", "pk")
    ):
        context_id = string_translation.context_id
        if string_translation.translation_of_id == strings[context_id]:
            current.add(context_id)
        else:
            latest[context_id] = string_translation
    if not current and not latest:
        return []

    changes = []
    for segment in segments:
        if segment.context_id in current:
            continue
        new_source = segment.string.data
        previous = latest.get(segment.context_id)
        if previous is None:
            changes.append(SegmentChange(NEW, segment.pk, segment.context.path, new_source))
            continue
        changes.append(
            SegmentChange(
                CHANGED,
                segment.pk,
                segment.context.path,
                new_source,
                old_source=previous.translation_of.data,
                old_translation=previous.data,
            )
        )
    return changes
