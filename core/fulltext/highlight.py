"""The words of a result that a search found, marked for the reader.

The text is analysed as it was indexed (``core.fulltext.analysis``), so a word is marked
exactly when the search matched it: "landed" for a search for "landings", 北京市 for 北京,
서울시는 for 서울, in every script. Marks are ``<mark>`` around the word; the rest is
escaped.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import analysis

ELLIPSIS = "…"


def _matches(word, terms):
    for query_term in terms:
        for term in word.terms:
            if term == query_term.term or (query_term.prefix and term.startswith(query_term.term)):
                return True
    return False


def matched_spans(text, terms, language_code):
    """(start, end) of each word of ``text`` that ``terms`` (``QueryTerm``) match."""
    words = analysis.words(text, language_code) if terms else []
    return [(word.start, word.end) for word in words if _matches(word, terms)]


def _joined(spans):
    """Spans that touch as one: a word the segmenter split in two (นัก|วิจัย) is one mark."""
    joined = []
    for span in spans:
        if joined and joined[-1][1] == span[0]:
            joined[-1] = (joined[-1][0], span[1])
        else:
            joined.append(span)
    return joined


def _marked(text, spans, start=0, end=None):
    end = len(text) if end is None else end
    # Only the words within the range, joined once chosen: two touching words of which one
    # falls outside are not lost together.
    spans = _joined([span for span in spans if start <= span[0] and span[1] <= end])
    parts = []
    position = start
    for span_start, span_end in spans:
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    return "".join(parts)


def highlighted(text, terms, language_code):
    """All of ``text`` with the words ``terms`` match marked (for a title)."""
    return mark_safe(_marked(text, matched_spans(text, terms, language_code)))  # noqa: S308


def extract(text, terms, language_code, length=200):
    """About ``length`` characters of ``text`` around its first matched word, the matched
    words marked; its beginning when none matched. Cut only between words, so that no
    character of Thai or Devanagari loses its vowel sign.

    The text is analysed up to the end of the extract only: a long article whose word comes
    early costs what its opening costs (every result of a search page has an extract)."""
    text = " ".join(text.split())
    words = []
    first = None
    whole = True  # every word of the text analysed
    for word in analysis.each_word(text, language_code):
        if first is None and terms and _matches(word, terms):
            first = word.start
        elif first is not None and word.start > first + length:
            whole = False  # past any extract around the first match
            break
        words.append(word)
    if not words:
        return escape(text[:length])
    matched = [word for word in words if terms and _matches(word, terms)]
    first = first or 0
    start = next(word.start for word in words if word.end > first - length // 4)
    if start <= words[0].start:
        start = 0
    end = start
    for word in words:
        if word.start >= start and (word.end - start <= length or word.start <= first):
            end = word.end
    if whole and words[-1].end == end:
        end = len(text)
    spans = [(word.start, word.end) for word in matched]
    return mark_safe(  # noqa: S308 (every part escaped)
        (ELLIPSIS if start else "")
        + _marked(text, spans, start, end)
        + (ELLIPSIS if end < len(text) else "")
    )
