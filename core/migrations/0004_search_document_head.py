"""The title and the opening of each page's text as a ``tsvector`` of its own (``head``);
SQLite's FTS5 table split at spaces only.

Ranking by every word of an article read each match's whole vector out of line: 0.5 s for a
name found in 3,000 of 100,000 articles. ``head`` stays in the row; its GIN index serves the
titles suggested as a reader types. An existing site fills ``head`` with
``manage.py rebuild_search_index``.

SQLite: FTS5's ``unicode61`` tokenizer counts combining marks as separators, so it cut the
analysed words of Hindi and Thai (and every script with vowel signs) into single letters:
"रॉकेट" became र, क, ट and matched pages without the word. The terms arrive analysed and
separated by spaces (``core.fulltext.analysis``): the ``ascii`` tokenizer keeps every
non-ASCII character in its word. The table is made again with it, its rows copied.
"""

from django.db import migrations

import core.models

GIN_INDEX = "core_searchdocument_head_gin"


FTS_TABLE = "core_searchdocument_fts"


def _remake_fts_table(schema_editor, tokenizer):
    schema_editor.execute(f"ALTER TABLE {FTS_TABLE} RENAME TO {FTS_TABLE}_old")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, language, "
        f"tokenize = '{tokenizer}', prefix = '2 3')"
    )
    schema_editor.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, title, body, language) "
        f"SELECT rowid, title, body, language FROM {FTS_TABLE}_old"
    )
    schema_editor.execute(f"DROP TABLE {FTS_TABLE}_old")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{GIN_INDEX}" ON "core_searchdocument" USING gin ("head")'
        )
    elif vendor == "sqlite":
        _remake_fts_table(schema_editor, "ascii")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{GIN_INDEX}"')
    elif vendor == "sqlite":
        _remake_fts_table(schema_editor, "unicode61 remove_diacritics 0")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_search_document")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="head",
            field=core.models.SearchVectorColumn(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
