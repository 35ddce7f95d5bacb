"""An index on a page's URL path, which routing looks pages up by (``BasePage.route``).

Wagtail indexes a page's tree path and slug but not its ``url_path``: at 100,000 article pages
routing one article read every page of the site (docs/architecture.md). On PostgreSQL the
index is a hash index: a URL path has no length limit, and a B-tree entry must stay under
about 2,700 bytes (a few long Hindi or Thai slugs deep); routing only ever asks for equality.
SQLite has no such limit: a plain index there.
"""

from django.db import migrations

TABLE = "wagtailcore_page"
INDEX = "core_page_url_path"


def create(apps, schema_editor):
    method = "USING hash " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "{TABLE}" {method}("url_path")')


def drop(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create, drop)]
