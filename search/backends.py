"""The search backend: pages searched in their own language, each query within the limits.

Configured in ``WAGTAILSEARCH_BACKENDS``, it answers every search of the site: the reader's
page, both APIs and the admin. A search of pages goes to ukiyo's full-text index
(``core.fulltext``: words found in all nine languages, the same on PostgreSQL and SQLite);
everything else (images, documents, snippets, the admin's search-as-you-type) to Wagtail's
database search. Wagtail's indexing feeds both: whenever it indexes a page (on publication,
``update_index``, ``seed_archive``) the page's document is written too (``IndexedPages``).

Before a query reaches the database its control characters become spaces (PostgreSQL refuses
NUL in text, FTS5 ends a string at one), it keeps at most ``UKIYO_SEARCH_MAX_TERMS`` words in
all and ``UKIYO_SEARCH_MAX_LENGTH`` characters per part (thousands of words made the query
builder recurse past Python's limit), and on SQLite its double quotes are escaped for
Wagtail's search (``compat.modelsearch``). The reader's page and the APIs check the
same limits first and say so; this is the guard for every other caller.
"""

from django.db.models import QuerySet
from wagtail.models import Page
from wagtail.search.backends import database
from wagtail.search.query import MATCH_NONE, And, Boost, Not, Or, Phrase, PlainText

from compat.modelsearch import fts5_quotes_escaped
from core.fulltext import query as fulltext
from core.fulltext import store
from core.searching import max_length, max_terms, without_control_characters


def _is_page_model(model):
    return isinstance(model, type) and issubclass(model, Page)


class IndexedPages:
    """A mixin for the backend's index class: pages also go into the full-text index."""

    def add_items(self, model, objs):
        objs = list(objs)
        super().add_items(model, objs)
        if _is_page_model(model):
            store.add(objs)

    def delete_item(self, item):
        super().delete_item(item)
        if isinstance(item, Page):
            store.remove([item.pk])

    def delete_stale_entries(self):
        super().delete_stale_entries()
        store.remove_stale()

    def reset(self):
        super().reset()
        store.clear()


class LimitedQueries:
    """A mixin for a backend class: queries within the limits before they are compiled."""

    escape_fts5_quotes = False

    def search(self, query, model_or_queryset, fields=None, operator=None, **kwargs):
        """A search of pages in the full-text index (``core.fulltext``); any other search
        (or one limited to some fields, or built of query objects) in Wagtail's.
        ``recent_first=True``: pages by relevance as readers get them on the site
        (``core.fulltext.query.recent_first``), not a queryset (API v2's ``?search=``);
        ``language_codes``: the languages of the pages searched, when the caller knows them
        (every language of the site by default)."""
        recent_first = kwargs.pop("recent_first", False)
        language_codes = kwargs.pop("language_codes", None)
        queryset = model_or_queryset
        if not isinstance(queryset, QuerySet):
            queryset = getattr(model_or_queryset, "objects", None)
            queryset = queryset.all() if queryset is not None else None
        pages = queryset is not None and _is_page_model(queryset.model)
        if pages and isinstance(query, str) and fields is None:
            text = self._text(query, [max_terms()], escape=False)
            if text is None:
                return queryset.none()
            parsed = fulltext.ParsedQuery(text, operator, language_codes=language_codes)
            order_by_relevance = kwargs.get("order_by_relevance", True)
            if recent_first and order_by_relevance:
                return fulltext.recent_first(queryset, parsed)
            return fulltext.search(queryset, parsed, order_by_relevance=order_by_relevance)
        return super().search(query, model_or_queryset, fields=fields, operator=operator, **kwargs)

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

    def _text(self, text, budget, escape=True):
        """The words of ``text`` the budget allows, or None without any."""
        words = without_control_characters(text)[: max_length()].split()[: max(budget[0], 0)]
        if not words:
            return None
        budget[0] -= len(words)
        text = " ".join(words)
        return fts5_quotes_escaped(text) if escape and self.escape_fts5_quotes else text


_limited_classes = {}


def SearchBackend(params):  # the name Wagtail looks up in a backend module
    """The backend Wagtail would choose for the database, with ``LimitedQueries``."""
    backend_class = type(database.SearchBackend(params))
    if backend_class not in _limited_classes:
        # By name: the SQLite backend's module can be imported only on SQLite.
        fts5 = any(cls.__name__ == "SQLiteSearchBackend" for cls in backend_class.__mro__)
        index_class = type(
            backend_class.index_class.__name__,
            (IndexedPages, backend_class.index_class),
            {},
        )
        _limited_classes[backend_class] = type(
            backend_class.__name__,
            (LimitedQueries, backend_class),
            {"escape_fts5_quotes": fts5, "index_class": index_class},
        )
    return _limited_classes[backend_class](params)
