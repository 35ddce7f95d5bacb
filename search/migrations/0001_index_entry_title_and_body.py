"""A full-text index on what PostgreSQL searches: an entry's title and body together.

Wagtail's database search on PostgreSQL matches ``title || body @@ query``; its own GIN indexes
cover ``title`` and ``body`` one by one, which that expression cannot use, so every search read
every entry (3 s on 100,000 articles, docs/architecture.md). SQLite searches its own FTS5 table:
nothing to do there.
"""

from django.db import migrations

TABLE = "wagtailsearch_indexentry"
INDEX = "search_entry_title_body_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "{TABLE}" USING gin (("title" || "body"))'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("wagtailsearch", "0010_add_text_fields")]

    operations = [migrations.RunPython(create, drop)]
