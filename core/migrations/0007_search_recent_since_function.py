"""Where each language's newest pages begin, as a PostgreSQL function planned with the index
on ``(language_code, date)`` as the only way in (``core.fulltext.query.recent_since``).

On a small table the planner may read the whole table and sort it instead (a test of the
plans saw it now and then); the function settles it, as 0005's and 0006's do for the
matches. It returns the earliest, over ``languages``, of each language's ``pages``-th newest
dated page; NULL when a language has dated pages but fewer than that (all of them are
recent: no bound), a language without any being left out.

SQLite: nothing (its queries are made in Python).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION core_searchdocument_recent_since(languages text[], pages integer)
RETURNS timestamp with time zone
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET enable_seqscan = off
SET max_parallel_workers_per_gather = 0
AS $$
    SELECT CASE WHEN bool_or(nth.date IS NULL AND oldest.date IS NOT NULL) THEN NULL
                ELSE min(nth.date) END
    FROM unnest(languages) AS language (code)
    LEFT JOIN LATERAL (
        SELECT document.date FROM core_searchdocument AS document
        WHERE document.language_code = language.code AND document.date IS NOT NULL
        ORDER BY document.date DESC OFFSET pages - 1 LIMIT 1
    ) AS nth ON true
    LEFT JOIN LATERAL (
        SELECT document.date FROM core_searchdocument AS document
        WHERE document.language_code = language.code AND document.date IS NOT NULL
        ORDER BY document.date LIMIT 1
    ) AS oldest ON true
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS core_searchdocument_recent_since(text[], integer)"
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0006_search_recent_matches")]

    operations = [migrations.RunPython(forwards, backwards)]
