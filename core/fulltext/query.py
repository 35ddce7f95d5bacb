"""Searching pages: a queryset of pages narrowed to those whose words match a query.

A query is analysed once per language (``core.fulltext.analysis``): a document is matched
against the query as its own language reads it ("landings" finds "landed" in English, where
the stems agree, and only there). Languages whose analysis gives the same terms, usually all
of them, share one condition.

On PostgreSQL a match is ``vector @@ tsquery`` on the page's document, served by the GIN
index, and the relevance is ``ts_rank`` of its title and the opening of its text (a word of
the title weighs ten times a word of the text). On SQLite it is FTS5's ``MATCH`` and its
``bm25`` (the title weighted ten times too). Ties, frequent for a one-word search, go to the
most recent page.
"""

from django.conf import settings
from django.db.models import BooleanField, Expression, F, FloatField

from . import analysis
from .store import FTS_TABLE, fts_language, quoted

OPERATORS = ("and", "or")


class ParsedQuery:
    """The terms of a query per group of languages that read it the same way."""

    def __init__(self, query, operator="and", titles_as_typed=False):
        """``titles_as_typed``: match titles only, the last word as the beginning of a word
        (what a reader has typed so far: search-as-you-type)."""
        self.operator = operator if operator in OPERATORS else "and"
        self.titles_only = titles_as_typed
        groups = {}
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
            terms = tuple(analysis.query_terms(query, code))
            if terms and titles_as_typed:
                terms = (*terms[:-1], analysis.QueryTerm(terms[-1].term, prefix=True))
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

    def tsquery(self, terms):
        joiner = " & " if self.operator == "and" else " | "
        # In titles only: the weight a title's words carry (core.fulltext.store).
        weight = "A" if self.titles_only else ""
        return joiner.join(
            quoted(term.term) + ":" + ("*" if term.prefix else "") + weight
            if term.prefix or weight
            else quoted(term.term)
            for term in terms
        )

    def fts5(self, terms):
        joiner = " AND " if self.operator == "and" else " OR "
        words = joiner.join(
            '"' + term.term.replace('"', '""') + '"' + ("*" if term.prefix else "")
            for term in terms
        )
        columns = "title" if self.titles_only else "{title body}"
        return columns + " : (" + words + ")"

    def fts5_expression(self):
        if len(self.groups) == 1:
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
    """What the match and the rank share: the page's id, its document's language, every word
    of it (``vector``) and its title with the opening of its text (``head``)."""

    def __init__(self, parsed):
        super().__init__()
        self.parsed = parsed
        self.sources = [
            F("pk"),
            F("search_document__language_code"),
            F("search_document__vector"),
            F("search_document__head"),
        ]

    def get_source_expressions(self):
        return self.sources

    def set_source_expressions(self, expressions):
        self.sources = list(expressions)

    def _per_language(self, compiler, sql_for_terms, head=False):
        """``sql_for_terms(column, terms)`` (SQL and params) for each group of languages,
        on ``head`` or on ``vector``; and the SQL of the document's language."""
        language_sql, language_params = compiler.compile(self.sources[1])
        column_sql, column_params = compiler.compile(self.sources[3 if head else 2])
        branches = []
        for codes, terms in self.parsed.groups:
            sql, params = sql_for_terms(column_sql, terms)
            branches.append((codes, sql, [*column_params, *params]))
        return branches, language_sql, language_params


class Matches(_FullText):
    conditional = True
    output_field = BooleanField()

    def as_postgresql(self, compiler, connection):
        # Titles as typed are looked for in the small ``head`` (its own GIN index): a word's
        # beginning in a title's weight would otherwise read every long vector it matches.
        branches, language_sql, language_params = self._per_language(
            compiler,
            lambda vector, terms: (f"{vector} @@ %s::tsquery", [self.parsed.tsquery(terms)]),
            head=self.parsed.titles_only,
        )
        if len(branches) == 1:
            _codes, sql, params = branches[0]
            return f"({sql})", params
        parts, params = [], []
        for codes, sql, branch_params in branches:
            parts.append(f"({language_sql} IN ({', '.join(['%s'] * len(codes))}) AND {sql})")
            params += [*language_params, *codes, *branch_params]
        return "(" + " OR ".join(parts) + ")", params

    def as_sqlite(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.sources[0])
        return (
            f"({pk_sql} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s))",  # noqa: S608
            [*pk_params, self.parsed.fts5_expression()],
        )


class Rank(_FullText):
    """How well a page matches: higher is better. On PostgreSQL, by its title and the opening
    of its text (``head``), which stay in the row: ranking by every word read each match's
    whole vector from the table's out-of-line storage."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection):
        branches, language_sql, language_params = self._per_language(
            compiler,
            lambda vector, terms: (f"ts_rank({vector}, %s::tsquery)", [self.parsed.tsquery(terms)]),
            head=True,
        )
        if len(branches) == 1:
            _codes, sql, params = branches[0]
            return sql, params
        parts, params = [], []
        for codes, sql, branch_params in branches:
            parts.append(f"WHEN {language_sql} IN ({', '.join(['%s'] * len(codes))}) THEN {sql}")
            params += [*language_params, *codes, *branch_params]
        return "(CASE " + " ".join(parts) + " ELSE 0 END)", params

    def as_sqlite(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.sources[0])
        return (
            f"(SELECT -bm25({FTS_TABLE}, 10.0, 1.0, 0.0) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {pk_sql})",
            [self.parsed.fts5_expression(), *pk_params],
        )


def search(queryset, query, operator="and", order_by_relevance=True):
    """The pages of ``queryset`` whose words match ``query`` (a string, within the search
    limits already): all its words (``operator`` "and") or any ("or"). Ordered by relevance,
    then the most recent first, unless ``order_by_relevance`` is false (then in the
    queryset's own order). Each page has its ``search_date`` (its display date, or when it
    was first published), and ``search_rank`` when ordered by relevance."""
    parsed = ParsedQuery(query, operator)
    if not parsed:
        return queryset.none()
    results = queryset.filter(Matches(parsed)).annotate(search_date=F("search_document__date"))
    if order_by_relevance:
        results = results.annotate(search_rank=Rank(parsed)).order_by(
            F("search_rank").desc(), F("search_date").desc(nulls_last=True), "-pk"
        )
    return results


def autocomplete(queryset, typed, limit=8):
    """The pages of ``queryset`` whose titles have the words ``typed`` so far, the last one
    perhaps not yet finished: at most ``limit``, the most relevant first, then the newest."""
    parsed = ParsedQuery(typed, titles_as_typed=True)
    if not parsed:
        return queryset.none()
    return (
        queryset.filter(Matches(parsed))
        .annotate(search_rank=Rank(parsed), search_date=F("search_document__date"))
        .order_by(F("search_rank").desc(), F("search_date").desc(nulls_last=True), "-pk")[:limit]
    )
