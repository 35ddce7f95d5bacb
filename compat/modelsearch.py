"""django-modelsearch (the engine of Wagtail's database search): a ``"`` on SQLite.

The SQLite FTS5 backend writes each search term between double quotes without doubling the
quotes it contains (``Lexeme.as_sql`` escapes only ``'`` and ``\\``), so any search with a
``"`` ends the FTS5 string early and SQLite answers "unterminated string": a 500 on the
reader's search, both APIs and the admin. Reported upstream as
https://github.com/wagtail/wagtail/issues/13227 (open for modelsearch 1.3). The search backend
(``search.backends``) doubles the quotes of what it hands to the SQLite backend, as FTS5
expects; ``tests/compat/test_modelsearch.py`` fails once upstream escapes them itself, and
this must then go (or quotes would be doubled twice).
"""


def fts5_quotes_escaped(text):
    """``text`` as a term inside an FTS5 string: each ``"`` doubled."""
    return text.replace('"', '""')


def backend_escapes_fts5_quotes():
    """Whether modelsearch's SQLite backend doubles the quotes of a term itself."""
    from modelsearch.backends.database.sqlite.query import Lexeme

    template, params = Lexeme('a"b').as_sql(None, None)
    return template % tuple(params) != '"a"b"'
