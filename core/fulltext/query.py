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

Readers get results through ``recent_first``: the matches among each language's newest pages
ranked, the older ones after them by date, each read only when a page of results reaches
them; so a search costs the same in an archive of 100,000 pages as in one of 1,000.
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
    Q,
    Subquery,
)
from django_cte import CTE, with_cte
from django_cte.raw import raw_cte_sql

from core import counts
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

    @property
    def language_codes(self):
        """The languages whose pages the query can match."""
        return [code for codes, _terms in self.groups for code in codes]

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
# by every word of a page, or by its title and the opening of its text (titles as typed);
# by every word, among the pages dated from a day on, or before it (0006).
MATCHES_FUNCTION = "core_searchdocument_matches"
HEAD_MATCHES_FUNCTION = "core_searchdocument_head_matches"
RECENT_MATCHES_FUNCTION = "core_searchdocument_recent_matches"
OLDER_MATCHES_FUNCTION = "core_searchdocument_older_matches"
# Where a language's newest pages begin (0007).
RECENT_SINCE_FUNCTION = "core_searchdocument_recent_since"
ORDERS = {
    True: "rank DESC, date DESC NULLS LAST, page_id DESC",
    False: "date DESC NULLS LAST, page_id DESC",
}
# The newest first: the results by date, and the older matches after the recent ones.
BY_DATE = (F("search_date").desc(nulls_last=True), "-pk")


def _matches(parsed, by_relevance, since=None, before=None):
    """The documents that match ``parsed`` (PostgreSQL), each with its date and rank, the
    most relevant first (``by_relevance``) or the newest; only those dated ``since`` that
    day or later, or only those dated ``before`` it (or undated)."""
    if since is not None:
        call = f"{RECENT_MATCHES_FUNCTION}(%s::tsquery, %s::text[], %s)"
        params = [parsed.tsquery(), parsed.language_codes, since]
    elif before is not None:
        call = f"{OLDER_MATCHES_FUNCTION}(%s::tsquery, %s)"
        params = [parsed.tsquery(), before]
    else:
        call = f"{HEAD_MATCHES_FUNCTION if parsed.titles_only else MATCHES_FUNCTION}(%s::tsquery)"
        params = [parsed.tsquery()]
    return CTE(
        raw_cte_sql(
            f"SELECT page_id, date, rank FROM {call} "  # noqa: S608 (constants)
            f"ORDER BY {ORDERS[by_relevance]}",
            params,
            {"page_id": IntegerField(), "date": DateTimeField(), "rank": FloatField()},
        ),
        name=RANKED,
    )


def _on_postgresql(queryset, parsed, by_relevance, since=None, before=None):
    matches = _matches(parsed, by_relevance, since, before)
    found = with_cte(matches, select=matches.join(queryset, pk=matches.col.page_id)).annotate(
        search_date=matches.col.date
    )
    if not by_relevance:
        return found
    # The matches' own order: PostgreSQL reads them in it, with no second sort.
    return found.order_by(matches.col.rank.desc(), F("search_date").desc(nulls_last=True), "-pk")


def _dated(queryset, since, before):
    """SQLite: ``queryset`` narrowed to the pages dated ``since`` that day or later, or
    ``before`` it (or undated)."""
    if since is not None:
        return queryset.filter(search_document__date__gte=since)
    if before is not None:
        return queryset.filter(
            Q(search_document__date__lt=before) | Q(search_document__date__isnull=True)
        )
    return queryset


def search(queryset, parsed, order_by_relevance=True, since=None, before=None):
    """The pages of ``queryset`` whose words match ``parsed`` (a ``ParsedQuery``, made once
    by the caller, who may also mark the results with its terms). Ordered by relevance, then
    the most recent first, unless ``order_by_relevance`` is false (then in the queryset's own
    order). Each page has its ``search_date`` (its display date, or when it was first
    published). The rank orders them; no caller reads it, so it is not selected. ``since``:
    only the pages dated that day or later; ``before``: only those dated before it, or
    undated.

    Its cost grows with the number of matches, each of which is read once (in a narrow table
    on PostgreSQL, see the module's docstring): ``recent_first`` bounds it for readers.
    docs/architecture.md gives the figures.
    """
    if not parsed:  # nothing searchable ("!!!"): no page, as the others would be annotated
        return queryset.none().annotate(search_date=F("search_document__date"))
    if connections[queryset.db].vendor == "postgresql":
        return _on_postgresql(queryset, parsed, order_by_relevance, since, before)
    found = (
        _dated(queryset, since, before)
        .filter(Matches(parsed))
        .annotate(search_date=F("search_document__date"))
    )
    if not order_by_relevance:
        return found
    return found.order_by(Rank(parsed).desc(), F("search_date").desc(nulls_last=True), "-pk")


def recent_since(queryset, language_codes, pages):
    """Where the ``pages`` newest pages of each of these languages begin, for the languages
    together (the earliest of their days): the date of each language's ``pages``-th newest
    page in the index (a language without any is left out). None, no bound, when ``pages``
    is 0 or a language has fewer dated pages: all of them are recent. Read through the index
    on ``(language_code, date)``, a fraction of a millisecond per language: on PostgreSQL in
    one call of a function planned with that index as the only way in
    (``core/migrations/0007``), on SQLite in a query per language."""
    if not pages or not language_codes:
        return None
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {RECENT_SINCE_FUNCTION}(%s::text[], %s)", [list(language_codes), pages]
            )
            return cursor.fetchone()[0]
    documents = SearchDocument.objects.using(queryset.db).filter(date__isnull=False)
    days = []
    for code in language_codes:
        dated = documents.filter(language_code=code).order_by("-date")
        day = list(dated.values_list("date", flat=True)[pages - 1 : pages])
        if not day and dated.exists():
            return None
        days += day
    return min(days, default=None)


class RecentFirst:
    """The results of a search by relevance, as readers get them (``recent_first``): the
    matches among the newest pages ranked (``recent``), then the older ones, the newest first
    (``older``). Two querysets read as one list, each only as far as a page of results
    needs: it is sliced (by Django's and django-ninja's paginators) and counted (through
    ``core.counts``, once per change of the content); ``map`` changes both querysets alike
    (more fields, prefetching)."""

    ordered = True

    def __init__(self, recent, older):
        self.recent = recent
        self.older = older
        self.model = recent.model  # API v2 reads the page type's StreamFields by it

    def map(self, change):
        return RecentFirst(change(self.recent), change(self.older))

    def count(self):
        return counts.count(self.recent) + counts.count(self.older)

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        """A slice ``[start:stop]`` of the results, as a list."""
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("Search results are read by slices: results[start:stop].")
        start, stop = item.start or 0, item.stop
        if start < 0 or stop is None or stop < 0:
            raise ValueError("Search results are read from a start to a stop, both given.")
        if stop <= start:
            return []
        found = list(self.recent[start:stop])
        if len(found) == stop - start:
            return found
        # The recent matches end within the slice, or before it.
        recent = start + len(found) if found or not start else counts.count(self.recent)
        offset = max(0, start - recent)
        return found + list(self.older[offset : offset + stop - start - len(found)])


def recent_first(queryset, parsed, order_by_relevance=True, pages=None):
    """The pages of ``queryset`` that match ``parsed``, as readers get them by relevance:
    the matches among the ``pages`` newest pages of each language searched
    (``UKIYO_SEARCH_RECENT_PAGES``) most relevant first (ties to the newest), then the older
    matches, newest first. A ``RecentFirst``.

    News is perishable, and ranking is what grows with the archive: a word in most of a
    language's pages had every one of them ranked (8,863 of 100,000 pages, 11 ms), where
    the newest pages' matches are found and ranked through two indexes together (about
    1 ms). The older matches are read only for a page of results beyond the recent ones.
    With fewer pages in a language than that, every match is ranked, as by ``search``.

    Not ``order_by_relevance``: every match, the newest first, read the same way (the
    recent matches are the newest ones: the order is the one ``search`` gives by date).
    """
    pages = settings.UKIYO_SEARCH_RECENT_PAGES if pages is None else pages
    since = recent_since(queryset, parsed.language_codes, pages) if parsed else None
    if since is None:
        found = search(queryset, parsed, order_by_relevance)
        return RecentFirst(
            found if order_by_relevance else found.order_by(*BY_DATE), queryset.none()
        )
    recent = search(queryset, parsed, order_by_relevance, since=since)
    older = search(queryset, parsed, order_by_relevance=False, before=since)
    return RecentFirst(
        recent if order_by_relevance else recent.order_by(*BY_DATE),
        older.order_by(*BY_DATE),
    )


def with_text(results):
    """``results`` of ``search`` (or ``recent_first``), each page with its indexed text as
    ``search_text`` (for its extract), read by a subquery: PostgreSQL evaluates it only for
    the pages a LIMIT keeps, where a join carried every match's text through the relevance
    sort."""
    if isinstance(results, RecentFirst):
        return results.map(with_text)
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
    return search(queryset, parsed)[:limit]
