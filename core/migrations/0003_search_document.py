"""The search index of pages (``core.models.SearchDocument``, ``core.fulltext``).

On PostgreSQL the terms are a ``tsvector`` column under a GIN index; on SQLite they live in
an FTS5 table of their own whose row id is the page's id. The index starts empty: an existing
site fills it once with ``manage.py update_index`` (docs/configuration.md, "Search").
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.models

FTS_TABLE = "core_searchdocument_fts"
GIN_INDEX = "core_searchdocument_vector_gin"


def create_term_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{GIN_INDEX}" ON "core_searchdocument" USING gin ("vector")'
        )
    elif vendor == "sqlite":
        # The terms are analysed before they arrive (core.fulltext.analysis), separated by
        # spaces: the tokenizer only has to split at spaces and keep every mark.
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, language, "
            "tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')"
        )


def drop_term_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{GIN_INDEX}"')
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_page_url_path_index"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "page",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to=settings.WAGTAIL_PAGE_MODEL,
                    ),
                ),
                ("language_code", models.CharField(max_length=100)),
                ("date", models.DateTimeField(null=True)),
                ("title", models.TextField()),
                ("text", models.TextField()),
                (
                    "vector",
                    core.models.SearchVectorColumn(editable=False, null=True),
                ),
            ],
            options={"verbose_name": "search document"},
        ),
        migrations.RunPython(create_term_index, drop_term_index),
    ]
