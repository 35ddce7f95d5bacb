"""The search backend: Wagtail's database search, each query kept within the search limits.

Configured in ``WAGTAILSEARCH_BACKENDS``, it answers every search of the site: the reader's
page, both APIs and the admin. Before a query reaches the database its control characters
become spaces (PostgreSQL refuses NUL in text, FTS5 ends a string at one), it keeps at most
``UKIYO_SEARCH_MAX_TERMS`` words in all and ``UKIYO_SEARCH_MAX_LENGTH`` characters per part
(thousands of words made the query builder recurse past Python's limit), and on SQLite its
double quotes are escaped (``compat.modelsearch``). The reader's page and the APIs check the
same limits first and say so; this is the guard for every other caller.
"""

from wagtail.search.backends import database
from wagtail.search.query import MATCH_NONE, And, Boost, Not, Or, Phrase, PlainText

from compat.modelsearch import fts5_quotes_escaped
from core.searching import max_length, max_terms, without_control_characters


class LimitedQueries:
    """A mixin for a backend class: queries within the limits before they are compiled."""

    escape_fts5_quotes = False

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        limited = self._limited(query, budget=[max_terms()])
        if limited is None:
            # Nothing searchable is left ("\x01"): no results, as a query the backends
            # answer with an empty queryset of the model (the admin's listings need one).
            limited = query if query == "" else MATCH_NONE
        return super()._search(query_compiler_class, limited, model_or_queryset, **kwargs)

    def _limited(self, query, budget):
        """``query`` within the limits, or None when nothing of it is left. ``budget`` holds
        the words still allowed, shared by every part of the query."""
        if isinstance(query, str):
            return self._text(query, budget)
        if isinstance(query, PlainText):
            text = self._text(query.query_string, budget)
            return text and PlainText(text, operator=query.operator, boost=query.boost)
        if isinstance(query, Phrase):
            text = self._text(query.query_string, budget)
            return text and Phrase(text)
        if isinstance(query, And | Or):
            parts = []
            for part in query.subqueries:
                if budget[0] <= 0:
                    break
                if (limited := self._limited(part, budget)) is not None:
                    parts.append(limited)
            return type(query)(parts) if parts else None
        if isinstance(query, Not | Boost):
            subquery = self._limited(query.subquery, budget)
            if subquery is None:
                return None
            return Not(subquery) if isinstance(query, Not) else Boost(subquery, query.boost)
        return query

    def _text(self, text, budget):
        """The words of ``text`` the budget allows, or None without any."""
        words = without_control_characters(text)[: max_length()].split()[: max(budget[0], 0)]
        if not words:
            return None
        budget[0] -= len(words)
        text = " ".join(words)
        return fts5_quotes_escaped(text) if self.escape_fts5_quotes else text


_limited_classes = {}


def SearchBackend(params):  # the name Wagtail looks up in a backend module
    """The backend Wagtail would choose for the database, with ``LimitedQueries``."""
    backend_class = type(database.SearchBackend(params))
    if backend_class not in _limited_classes:
        # By name: the SQLite backend's module can be imported only on SQLite.
        fts5 = any(cls.__name__ == "SQLiteSearchBackend" for cls in backend_class.__mro__)
        _limited_classes[backend_class] = type(
            backend_class.__name__,
            (LimitedQueries, backend_class),
            {"escape_fts5_quotes": fts5},
        )
    return _limited_classes[backend_class](params)
