"""Words of a text as the search index stores them, in every one of the site's languages.

One analysis in Python for both databases, so that PostgreSQL and SQLite store and look up
exactly the same terms:

1. **Words.** ICU's word break iterator (PyICU) finds the words. For Japanese, Chinese and
   Thai, written without spaces, it looks them up in ICU's dictionaries; Korean and the
   alphabetic scripts are split at spaces and punctuation. Punctuation, spaces and symbols are
   no words.
2. **One spelling.** NFKC (full-width letters and digits become ordinary ones, decomposed
   Hangul is composed), case folded. In Latin script, accents are dropped ("été" and "ete" are
   one word, as are "niño" and "nino"); in Devanagari, the nukta is dropped, so that "ख़ुशी"
   and "खुशी" are one word whatever normalisation the keyboard produced.
3. **Stems.** English, French, Spanish and German words are reduced to their Snowball stem
   ("landings", "landed" and "landing" are one word; "Ergebnisse" and "Ergebnis" too). The
   stem is taken after the accents are dropped, so that a word typed without accents gives
   the same stem as the word written with them.
4. **Parts of Chinese and Japanese words.** A dictionary word of three or more Han characters
   (北京市, 降落在) is also stored as each run of two or more of its characters, so that a
   reader who types 北京 or 降落 finds it.

A query is analysed the same way (``query_terms``); in Korean and Thai each of its words is
looked up as the beginning of a stored word, so that 서울 finds 서울시는 (the noun without
its particle) and 발표 finds 발표했다 (the stem without its ending), and กรุงเทพ finds
กรุงเทพมหานคร.
"""

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

import icu
import snowballstemmer

# The Snowball stemmer of each language that has one; the others keep their words whole.
STEMMERS = {"en": "english", "fr": "french", "es": "spanish", "de": "german"}

# The longest word stored: longer "words" are pasted data, and PostgreSQL limits a lexeme.
MAX_WORD_LENGTH = 64
# Han words of at most this many characters are also stored as their parts.
MAX_SPLIT_LENGTH = 12

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_WORD = re.compile(f"[{_HAN}]+")
_HAN_CHARACTER = re.compile(f"[{_HAN}]")
_THAI_OR_HANGUL = re.compile(r"[\u0e00-\u0e7f\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_NUKTA = "\u093c"
_APOSTROPHES = re.compile("[^'\u2019\u02bc]+")
# Letters below this code point are Latin (with its extensions) or digits: Snowball's.
_END_OF_LATIN = 0x250
# ICU's rule status of a word: letters, numbers, kana and ideographs (not spaces, punctuation).
_WORD_STATUS = 100


@dataclass(frozen=True)
class Word:
    """A word of a text: where it stands (``start``, ``end``) and the terms it is stored as."""

    start: int
    end: int
    terms: tuple


@dataclass(frozen=True)
class QueryTerm:
    term: str
    prefix: bool


def language_of(language_code):
    """The base language of a language code: "zh-hans" → "zh", "en" → "en"."""
    return (language_code or "").lower().replace("_", "-").split("-")[0]


# ICU's break iterators and Snowball's stemmers keep the text they work on: each thread of a
# threaded server process has its own.
_per_thread = threading.local()


def _break_iterator(language):
    iterators = _per_thread.__dict__.setdefault("iterators", {})
    if language not in iterators:
        iterators[language] = icu.BreakIterator.createWordInstance(icu.Locale(language or "root"))
    return iterators[language]


def _stemmer(language):
    stemmers = _per_thread.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        algorithm = STEMMERS.get(language)
        stemmers[language] = snowballstemmer.stemmer(algorithm) if algorithm else None
    return stemmers[language]


def _spans(text, language):
    """(start, end) of each word of ``text``, in the order they stand.

    A word is also split at its apostrophes: French and Italian elide an article into the
    next word (l'été, d'Italia), and a reader searches for the word alone ("été").
    """
    iterator = _break_iterator(language)
    iterator.setText(text)
    start = iterator.first()
    # ICU counts in UTF-16 units; a character outside the BMP (a rare Han character) is two.
    offsets = _utf16_offsets(text)
    for end in iterator:
        if iterator.getRuleStatus() >= _WORD_STATUS:
            word_start, word_end = offsets(start), offsets(end)
            for piece in _APOSTROPHES.finditer(text, word_start, word_end):
                yield piece.start(), piece.end()
        start = end


def _utf16_offsets(text):
    if text.isascii() or all(ord(character) < 0x10000 for character in text):
        return lambda offset: offset
    positions = []
    for index, character in enumerate(text):
        positions.append(index)
        if ord(character) >= 0x10000:
            positions.append(index)
    positions.append(len(text))
    return lambda offset: positions[offset]


@functools.lru_cache(maxsize=200_000)
def folded(word):
    """The one spelling of ``word`` before any stemming, or "" when it is no word."""
    word = unicodedata.normalize("NFKC", word).casefold()
    decomposed = unicodedata.normalize("NFD", word)
    kept = []
    for character in decomposed:
        if unicodedata.combining(character):
            base = kept[-1] if kept else ""
            # Accents on Latin letters and the Devanagari nukta go; Thai vowel signs,
            # Devanagari vowel signs and every other mark stay.
            if (base.isascii() and base.isalpha()) or character == _NUKTA:
                continue
        kept.append(character)
    word = unicodedata.normalize("NFC", "".join(kept))
    word = "".join(character for character in word if character.isalnum() or _is_mark(character))
    if not word or len(word) > MAX_WORD_LENGTH:
        return ""
    return word


@functools.lru_cache(maxsize=200_000)
def normalised(word, language):
    """The one spelling of ``word`` that is stored and looked up (its stem in a language
    with one), or "" when it is no word."""
    word = folded(word)
    stemmer = _stemmer(language)
    if word and stemmer is not None and all(ord(c) < _END_OF_LATIN for c in word):
        word = stemmer.stemWord(word) or word
    return word


def _is_mark(character):
    return unicodedata.category(character).startswith("M")


def _han_parts(term):
    """Each run of two or more characters inside a Han word of three or more, shorter than it."""
    if len(term) < 3 or not _HAN_CHARACTER.search(term):
        return []  # most words: no Han character at all
    parts = []
    for match in _HAN_WORD.finditer(term):
        han = match.group()
        if not 3 <= len(han) <= MAX_SPLIT_LENGTH:
            continue
        for length in range(2, len(han)):
            for start in range(len(han) - length + 1):
                parts.append(han[start : start + length])
    return parts


def words(text, language_code, unstemmed=False):
    """The words of ``text`` (a document in ``language_code``) with the terms each is stored
    as; with ``unstemmed`` (a title), also the word as typed before its stem ("landing" beside
    "land"), so that a title is suggested while the reader is still typing its word."""
    return list(each_word(text, language_code, unstemmed))


def each_word(text, language_code, unstemmed=False):
    """The words of ``words`` one at a time, each analysed when it is asked for: a reader of
    the beginning of a long text (a result's extract) does not analyse the rest."""
    language = language_of(language_code)
    for start, end in _spans(text, language):
        term = normalised(text[start:end], language)
        if not term:
            continue
        extra = _han_parts(term)
        if unstemmed and (whole := folded(text[start:end])) != term:
            extra = [whole, *extra]
        yield Word(start, end, (term, *dict.fromkeys(extra)) if extra else (term,))


def terms(text, language_code):
    """The terms of ``text`` in order, each word's own term first, then its parts."""
    return [term for word in words(text, language_code) for term in word.terms]


def query_terms(query, language_code, limit=64, typing=False):
    """The terms a search for ``query`` looks for in a document in ``language_code``: each
    word of the query once, a Korean or Thai word as the beginning of a stored word. With
    ``typing`` (search-as-you-type), the last word is the beginning of a word as typed, not
    stemmed: "moon landi" looks for "landi…", which a title's "landing" has."""
    language = language_of(language_code)
    found = {}
    spans = list(_spans(query, language))
    for position, (start, end) in enumerate(spans):
        if typing and position == len(spans) - 1:
            term = folded(query[start:end])
            if term:
                found.pop(term, None)
                found[term] = QueryTerm(term, prefix=True)
            continue
        term = normalised(query[start:end], language)
        if term and term not in found:
            found[term] = QueryTerm(term, prefix=bool(_THAI_OR_HANGUL.search(term)))
        if len(found) >= limit:
            break
    return list(found.values())
