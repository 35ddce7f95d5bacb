"""Writing pages into the search index and taking them out (``core.models.SearchDocument``).

A page's document is its title and the text of its other search fields (``search_fields``:
subtitle, summary, body...), analysed once in Python (``core.fulltext.analysis``). On
PostgreSQL the terms are written as ``tsvector`` literals with their positions and weights
(title ``A``, the rest ``D``), each tagged with the page's language (``ja:着陸``): every
word (``vector``), and the title with the opening of the text (``head``). PostgreSQL's own
parser, whose idea of a letter depends on the server's locale, never touches them. On SQLite
they go, separated by spaces, into an FTS5 table whose row id is the page's id.

Wagtail's search backend calls these for every page it indexes (``search.backends``): on
publication, by ``update_index``, and in bulk by ``seed_archive``.
"""

from collections import defaultdict

from django.db import connections, router, transaction
from django.utils import translation
from django.utils.functional import cached_property
from wagtail.models import Locale
from wagtail.search import index

from core.models import SearchDocument

from . import analysis

FTS_TABLE = "core_searchdocument_fts"
# PostgreSQL keeps positions up to 16383 and at most 256 of them for one lexeme.
MAX_POSITION = 16383
MAX_POSITIONS_PER_TERM = 256
# The text of a document that is analysed: a page longer than this is found by its beginning.
MAX_TEXT_LENGTH = 200_000
# The words of the text that, with the title, rank the results (``head``): the opening of an
# article (its subtitle and summary), where news says what it is about. Every match's ``head``
# is read to rank it, so it is kept short enough to stay in the row: ranking by every word
# read each long article's vector out of line (0.5 s for a name in 3,000 articles of
# 100,000), and 120 words made rows so wide that a word in 13,793 articles of 100,000 read
# 11,704 table pages, a third of their heads out of line (30 words: 9,545 pages, in line).
HEAD_WORDS = 30


class Document:
    """A page as the index stores it."""

    def __init__(self, page_id, language_code, date, title, text):
        self.page_id = page_id
        self.language_code = language_code
        self.date = date
        self.title = title
        self.text = text[:MAX_TEXT_LENGTH]

    @cached_property
    def title_terms(self):
        words = analysis.words(self.title, self.language_code, unstemmed=True)
        return [word.terms for word in words]

    @cached_property
    def body_terms(self):
        return [word.terms for word in analysis.words(self.text, self.language_code)]


def _texts(value):
    """The texts of a search field's value (a string, or the list of a body's texts)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return _texts(list(value.values()))
    text = str(value).strip()
    return [text] if text else []


def document(obj, language_codes):
    """The ``Document`` of ``obj``, a page or anything with a page's search fields and
    ``locale_id`` (``demo.archive`` indexes its bulk-made pages so)."""
    language_code = language_codes.get(obj.locale_id, "")
    texts = []
    # In the page's own language: a block whose searchable content is translated (a label)
    # gives it in the language the page is read in.
    with translation.override(language_code or None):
        for field in obj.get_search_fields():
            if isinstance(field, index.SearchField) and field.field_name != "title":
                texts += _texts(field.get_value(obj))
    date = getattr(obj, "display_date", None) or getattr(obj, "first_published_at", None)
    return Document(obj.pk, language_code, date, obj.title or "", "\n".join(texts))


def _connection():
    return connections[router.db_for_write(SearchDocument)]


def add(objs):
    """Write the documents of ``objs`` (pages of any type), replacing what they had."""
    objs = list(objs)
    if not objs:
        return
    language_codes = dict(Locale.objects.values_list("pk", "language_code"))
    documents = [document(obj, language_codes) for obj in objs]
    connection = _connection()
    postgres = connection.vendor == "postgresql"
    rows = [
        SearchDocument(
            page_id=doc.page_id,
            language_code=doc.language_code,
            date=doc.date,
            title=doc.title,
            text=doc.text,
            vector=(
                tsvector(doc.title_terms, doc.body_terms, doc.language_code) if postgres else None
            ),
            head=(
                tsvector(doc.title_terms, doc.body_terms[:HEAD_WORDS], doc.language_code)
                if postgres
                else None
            ),
        )
        for doc in documents
    ]
    with transaction.atomic(using=connection.alias):  # the row and SQLite's FTS5 row together
        SearchDocument.objects.using(connection.alias).bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["page"],
            update_fields=["language_code", "date", "title", "text", "vector", "head"],
        )
        if not postgres:
            _fts_write(connection, documents)


def remove(page_ids):
    """Take the pages with these ids out of the index."""
    page_ids = list(page_ids)
    connection = _connection()
    SearchDocument.objects.using(connection.alias).filter(page_id__in=page_ids).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {FTS_TABLE} WHERE rowid = %s",  # noqa: S608 (a constant)
                [(pk,) for pk in page_ids],
            )


def clear():
    """Empty the index (``update_index`` then fills it again)."""
    connection = _connection()
    SearchDocument.objects.using(connection.alias).all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 (a constant)


def remove_stale():
    """Take out of SQLite's FTS5 table the rows of pages that no longer exist (PostgreSQL's
    rows go with their page)."""
    connection = _connection()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN "  # noqa: S608 (a constant)
                "(SELECT page_id FROM core_searchdocument)"
            )


def quoted(term):
    """A term as a lexeme of a ``tsvector`` or ``tsquery`` literal."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(title_terms, body_terms, language_code):
    """The text form of a ``tsvector``: each term, tagged with the document's language
    (``lexeme``), with its positions and weight."""
    positions = defaultdict(list)
    position = 0
    for weight, words in (("A", title_terms), ("D", body_terms)):
        for terms in words:
            position = min(position + 1, MAX_POSITION)
            for term in terms:
                kept = positions[term]
                if len(kept) < MAX_POSITIONS_PER_TERM:
                    kept.append(f"{position}{weight}")
    return " ".join(
        f"{quoted(lexeme(language_code, term))}:{','.join(kept)}"
        for term, kept in positions.items()
    )


def fts_language(language_code):
    """A language code as one FTS5 token: "zh-hans" → "zhhans"."""
    return "".join(character for character in language_code.lower() if character.isalnum())


def lexeme(language_code, term):
    """A term as PostgreSQL stores it: tagged with its document's language ("ja:着陸"), so
    that the GIN index finds the documents of the languages searched, and only those,
    without reading any document (a name like JAXA is in every language's articles)."""
    return f"{fts_language(language_code)}:{term}"


def _fts_write(connection, documents):
    with connection.cursor() as cursor:
        cursor.executemany(
            f"DELETE FROM {FTS_TABLE} WHERE rowid = %s",  # noqa: S608 (a constant)
            [(doc.page_id,) for doc in documents],
        )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, language) "  # noqa: S608 (a constant)
            "VALUES (%s, %s, %s, %s)",
            [
                (
                    doc.page_id,
                    " ".join(term for terms in doc.title_terms for term in terms),
                    " ".join(term for terms in doc.body_terms for term in terms),
                    fts_language(doc.language_code),
                )
                for doc in documents
            ],
        )
