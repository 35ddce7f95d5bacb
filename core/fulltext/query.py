"""Searching pages: a queryset of pages narrowed to those whose words match a query.

A query is analysed once per language (``core.fulltext.analysis``): a document is matched
against the query as its own language reads it ("landings" finds "landed" in English, where
the stems agree, and only there). On PostgreSQL every stored term carries its language
(``store.lexeme``), so the query names each language's terms; on SQLite the FTS5 table has
the language as a column.

On PostgreSQL a search reads the matching documents through the GIN index, each with its
date and its relevance (``ts_rank`` of its title and the opening of its text, where a word of
the title weighs ten times a word of the text), from a function of the database
(``core/migrations/0005_search_matches_function.py``) that never reads the whole table: the
planner does not count reading each document's out-of-line vector, and past a few thousand
matches it chose to read them all (0.7 s at 100,000 article pages, about 17 ms through the
index). The matches, a narrow
table sorted in memory, come first in the query (a common table expression, through
django-cte: Django's ORM joins tables, not functions); the pages at its top are read last.
On SQLite it is FTS5's ``MATCH`` and its ``bm25`` (the title weighted ten times too). Ties,
frequent for a one-word search, go to the most recent page (docs/architecture.md gives the
figures).
"""

from django.conf import settings
from django.db import connections
from django.db.models import (
    BooleanField,
    DateTimeField,
    Expression,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Subquery,
)
from django_cte import CTE, with_cte
from django_cte.raw import raw_cte_sql

from core.models import SearchDocument

from . import analysis
from .store import FTS_TABLE, fts_language, lexeme, quoted

OPERATORS = ("and", "or")


class ParsedQuery:
    """The terms of a query per group of languages that read it the same way."""

    def __init__(self, query, operator="and", titles_as_typed=False, language_codes=None):
        """``query``: a string within the search limits. ``operator``: "and" (all its words)
        or "or" (any). ``titles_as_typed``: match titles only, the last word as the beginning
        of a word (what a reader has typed so far: search-as-you-type). ``language_codes``:
        the languages of the pages searched, when the caller knows them (the reader's page,
        cards of one language): only their index entries are read; every language of the
        site by default."""
        operator = (operator or "and").lower()
        self.operator = operator if operator in OPERATORS else "and"
        self.titles_only = titles_as_typed
        self.restricted = language_codes is not None
        searched = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
        if language_codes is not None:
            searched = [code for code in searched if code in set(language_codes)]
        groups = {}
        for code in searched:
            terms = tuple(analysis.query_terms(query, code, typing=titles_as_typed))
            if terms:
                groups.setdefault(terms, []).append(code)
        self.groups = [(codes, terms) for terms, codes in groups.items()]

    def __bool__(self):
        return bool(self.groups)

    def terms_for(self, language_code):
        for codes, terms in self.groups:
            if language_code in codes:
                return terms
        return ()

    def tsquery(self):
        """The ``tsquery`` literal of the whole query: for each language searched, its terms
        tagged with it (``store.lexeme``); a document matches in its own language."""
        joiner = " & " if self.operator == "and" else " | "
        # In titles only: the weight a title's words carry (core.fulltext.store).
        weight = "A" if self.titles_only else ""
        alternatives = []
        for codes, terms in self.groups:
            for code in codes:
                words = joiner.join(
                    quoted(lexeme(code, term.term)) + ":" + ("*" if term.prefix else "") + weight
                    if term.prefix or weight
                    else quoted(lexeme(code, term.term))
                    for term in terms
                )
                alternatives.append(f"({words})")
        return " | ".join(alternatives)

    def fts5(self, terms):
        joiner = " AND " if self.operator == "and" else " OR "
        words = joiner.join(
            '"' + term.term.replace('"', '""') + '"' + ("*" if term.prefix else "")
            for term in terms
        )
        columns = "title" if self.titles_only else "{title body}"
        return columns + " : (" + words + ")"

    def fts5_expression(self):
        if len(self.groups) == 1 and not self.restricted:
            return self.fts5(self.groups[0][1])
        return " OR ".join(
            "(language : ("
            + " OR ".join(f'"{fts_language(code)}"' for code in codes)
            + ") AND "
            + self.fts5(terms)
            + ")"
            for codes, terms in self.groups
        )


class _FullText(Expression):
    """What the match and the rank share on SQLite: the page's id."""

    def __init__(self, parsed):
        super().__init__()
        self.parsed = parsed
        self.sources = [F("pk")]

    def get_source_expressions(self):
        return self.sources

    def set_source_expressions(self, expressions):
        self.sources = list(expressions)


class Matches(_FullText):
    conditional = True
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.sources[0])
        return (
            f"({pk_sql} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s))",  # noqa: S608
            [*pk_params, self.parsed.fts5_expression()],
        )


class Rank(_FullText):
    """How well a page matches: higher is better."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.sources[0])
        return (
            f"(SELECT -bm25({FTS_TABLE}, 10.0, 1.0, 0.0) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {pk_sql})",
            [self.parsed.fts5_expression(), *pk_params],
        )


# The name of the matches in a query (a common table expression of it).
RANKED = "ukiyo_ranked_matches"
# The database's functions that find them (core/migrations/0005_search_matches_function.py):
# by every word of a page, or by its title and the opening of its text (titles as typed).
MATCHES_FUNCTION = "core_searchdocument_matches"
HEAD_MATCHES_FUNCTION = "core_searchdocument_head_matches"
ORDERS = {
    True: "rank DESC, date DESC NULLS LAST, page_id DESC",
    False: "date DESC NULLS LAST, page_id DESC",
}


def _matches(parsed, by_relevance):
    """The documents that match ``parsed`` (PostgreSQL), each with its date and rank, the
    most relevant first (``by_relevance``) or the newest."""
    function = HEAD_MATCHES_FUNCTION if parsed.titles_only else MATCHES_FUNCTION
    return CTE(
        raw_cte_sql(
            f"SELECT page_id, date, rank FROM {function}(%s::tsquery) "  # noqa: S608 (constants)
            f"ORDER BY {ORDERS[by_relevance]}",
            [parsed.tsquery()],
            {"page_id": IntegerField(), "date": DateTimeField(), "rank": FloatField()},
        ),
        name=RANKED,
    )


def _on_postgresql(queryset, parsed, by_relevance):
    matches = _matches(parsed, by_relevance)
    found = with_cte(matches, select=matches.join(queryset, pk=matches.col.page_id)).annotate(
        search_date=matches.col.date
    )
    if not by_relevance:
        return found
    # The matches' own order: PostgreSQL reads them in it, with no second sort.
    return found.order_by(matches.col.rank.desc(), F("search_date").desc(nulls_last=True), "-pk")


def _by_relevance(queryset, parsed):
    """``queryset`` narrowed to the pages that match, ordered by relevance."""
    if connections[queryset.db].vendor == "postgresql":
        return _on_postgresql(queryset, parsed, by_relevance=True)
    return (
        queryset.filter(Matches(parsed))
        .annotate(search_date=F("search_document__date"))
        .order_by(Rank(parsed).desc(), F("search_date").desc(nulls_last=True), "-pk")
    )


def search(queryset, parsed, order_by_relevance=True):
    """The pages of ``queryset`` whose words match ``parsed`` (a ``ParsedQuery``, made once
    by the caller, who may also mark the results with its terms). Ordered by relevance, then
    the most recent first, unless ``order_by_relevance`` is false (then in the queryset's own
    order). Each page has its ``search_date`` (its display date, or when it was first
    published). The rank orders them; no caller reads it, so it is not selected.

    Its cost grows with the number of matches, each of which is read once (in a narrow table
    on PostgreSQL, see the module's docstring). docs/architecture.md gives the figures.
    """
    if not parsed:  # nothing searchable ("!!!"): no page, as the others would be annotated
        return queryset.none().annotate(search_date=F("search_document__date"))
    if order_by_relevance:
        return _by_relevance(queryset, parsed)
    if connections[queryset.db].vendor == "postgresql":
        return _on_postgresql(queryset, parsed, by_relevance=False)
    return queryset.filter(Matches(parsed)).annotate(search_date=F("search_document__date"))


def with_text(results):
    """``results`` of ``search``, each page with its indexed text as ``search_text`` (for its
    extract), read by a subquery: PostgreSQL evaluates it only for the pages a LIMIT keeps,
    where a join carried every match's text through the relevance sort."""
    return results.annotate(
        search_text=Subquery(SearchDocument.objects.filter(page=OuterRef("pk")).values("text")[:1])
    )


def autocomplete(queryset, typed, language_code, limit=8):
    """The pages of ``queryset`` (of ``language_code``) whose titles have the words ``typed``
    so far, the last one perhaps not yet finished: at most ``limit``, the most relevant
    first, then the newest."""
    parsed = ParsedQuery(typed, titles_as_typed=True, language_codes=[language_code])
    if not parsed:
        return queryset.none()
    return _by_relevance(queryset, parsed)[:limit]
