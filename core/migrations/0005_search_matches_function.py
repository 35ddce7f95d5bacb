"""The pages whose words match a search, as PostgreSQL functions that always read them through
the GIN indexes (``core.fulltext.query``).

A document's ``vector`` (every word) is stored out of line. PostgreSQL's planner does not count
the cost of reading it: when a word is in many documents (a name in the news, or one of the
commonest words of a language), it judged reading the whole table cheaper than the index, and
then read every document's vector: 0.7 s for a word in 13,793 of 100,000 article pages, against
about 17 ms through the index, which says which documents match without reading any of them. The
functions plan their query with the index as the only way in: no sequential scan, no walk of
the primary key's index (which a small table also made look cheaper), and no parallel workers,
whose start costs more than they save here. Each returns every match with its date and its rank
(``ts_rank`` of ``head``: the title and the opening of the text, in the row).

SQLite: nothing (its FTS5 table is searched directly).
"""

from django.db import migrations

FUNCTIONS = {
    # Every word of a page.
    "core_searchdocument_matches": "vector",
    # Its title and the opening of its text: the titles suggested as a reader types.
    "core_searchdocument_head_matches": "head",
}

CREATE = """
CREATE FUNCTION {name}(query tsquery)
RETURNS TABLE (page_id integer, date timestamp with time zone, rank real)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET enable_seqscan = off
SET enable_indexscan = off
SET max_parallel_workers_per_gather = 0
AS $$
    SELECT document.page_id, document.date, ts_rank(document.head, query)
    FROM core_searchdocument AS document
    WHERE document.{column} @@ query
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in FUNCTIONS.items():
            schema_editor.execute(CREATE.format(name=name, column=column))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}(tsquery)")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_search_document_head")]

    operations = [migrations.RunPython(forwards, backwards)]
