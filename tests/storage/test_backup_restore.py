"""A backup of the site (scripts/backup) restored into a new database and a new bucket
(scripts/restore), on real engines: the suite's PostgreSQL as the site backed up, a
PostgreSQL cluster of the test's own to restore into, buckets of moto's S3 server, Redis as
the cache.

The commands run as an operator runs them, in processes of their own with production
settings; what the restored site shows is read in this process, its database and its media
storage pointed at the restored ones, and every image address on its page is fetched from
the new bucket as a browser would.
"""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connections
from psycopg import sql
from wagtail.documents import get_document_model

from tests.factories import ImageFactory, full_article, image_block, paragraph, section
from tests.postgres import Cluster

from .conftest import BUCKETS, CREDENTIALS, fetch, use_bucket
from .test_media_in_bucket import image_addresses

ROOT = Path(__file__).resolve().parents[2]
Document = get_document_model()
# The rows a reader's page is made of, compared between the site and its restored copy.
COMPARED_TABLES = (
    "wagtailcore_page",
    "wagtailcore_revision",
    "news_articlepage",
    "wagtailimages_image",
    "wagtailimages_rendition",
    "wagtaildocs_document",
)
# What the machine's environment may say that the commands must not inherit.
NOT_INHERITED = ("DATABASE_", "MEDIA_", "AWS_", "CACHE_", "PAGE_CACHE", "DJANGO_SETTINGS")


def url_of(settings_dict):
    """``DATABASE_URL`` of a database of Django's ``DATABASES``."""
    password = settings_dict.get("PASSWORD")
    user = quote(settings_dict.get("USER") or "ukiyo") + (
        f":{quote(password, safe='')}" if password else ""
    )
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"


def command_env(database_url=None, bucket=None, s3_server=None, **more):
    """The environment of the app servers, which the commands are run with."""
    environ = {
        name: value for name, value in os.environ.items() if not name.startswith(NOT_INHERITED)
    }
    environ.update(
        CREDENTIALS,
        PYTHON=sys.executable,
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="ukiyo-backup-tests-" + "s" * 40,
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    if database_url:
        environ["DATABASE_URL"] = database_url
    if bucket:
        environ.update(bucket_env(bucket, s3_server))
    environ.update(more)
    return environ


def bucket_env(name, s3_server):
    return {
        "MEDIA_BUCKET": name,
        "MEDIA_ENDPOINT_URL": s3_server,
        "MEDIA_REGION": "us-east-1",
        "MEDIA_CUSTOM_DOMAIN": f"{s3_server}/{name}/",
        "MEDIA_ACL": "public-read",
    }


def run(command, *arguments, env):
    return subprocess.run(
        [str(ROOT / "scripts" / command), *map(str, arguments)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def refused(result, *words):
    """The command failed, saying ``words``, without a traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL of the module's own, to restore into."""
    server = Cluster()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def new_database(cluster, name):
    """An empty database in ``cluster``; its ``DATABASE_URL``."""
    with psycopg.connect(
        host="127.0.0.1", port=cluster.port, user="ukiyo", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgres://ukiyo@127.0.0.1:{cluster.port}/{name}"


def rows(database_url, tables=COMPARED_TABLES):
    """Every row of ``tables``, as JSON, in order."""
    with psycopg.connect(database_url) as connection:
        # Times as the same instant, whatever each server's time zone.
        connection.execute("SET TIME ZONE 'UTC'")
        return {
            table: [
                row
                for (row,) in connection.execute(
                    sql.SQL("SELECT row_to_json(t)::text FROM {} t ORDER BY 1").format(
                        sql.Identifier(table)
                    )
                )
            ]
            for table in tables
        }


def table_count(database_url):
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]


def new_bucket(bucket):
    name = f"ukiyo-media-{next(BUCKETS)}"
    bucket.client.create_bucket(Bucket=name)
    return type(bucket)(name=name, endpoint=bucket.endpoint, client=bucket.client)


def stored(bucket):
    """Each object of ``bucket``: its bytes, Content-Type, Cache-Control, and what anyone
    may do with it."""
    found = {}
    for key in sorted(bucket.keys()):
        head = bucket.head(key)
        found[key] = (
            bucket.read(key),
            head["ContentType"],
            head.get("CacheControl"),
            bucket.public_grants(key),
        )
    return found


@contextmanager
def site_reading(database_url, bucket, settings):
    """This process's site on another database and bucket, as app servers configured with
    them are; the caches left as they are."""
    connection = connections["default"]
    names = ("HOST", "PORT", "NAME", "USER", "PASSWORD")
    saved = {name: connection.settings_dict[name] for name in names}
    parts = psycopg.conninfo.conninfo_to_dict(database_url)
    connection.close()
    connection.settings_dict.update(
        HOST=parts["host"], PORT=parts["port"], NAME=parts["dbname"], USER=parts["user"],
        PASSWORD="",
    )  # fmt: skip
    saved_media = (settings.STORAGES, settings.MEDIA_URL)
    use_bucket(settings, forget_renditions=False, **bucket_env(bucket.name, bucket.endpoint))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        settings.STORAGES, settings.MEDIA_URL = saved_media


def publish(page, **changes):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_a_new_database_and_bucket_shows_the_same_site(
    redis_caches, bucket, index, client, cluster, s3_server, settings, tmp_path
):
    lead = ImageFactory(title="Landing site", file__width=1600, file__height=900)
    figure = ImageFactory(title="Crater", file__width=900, file__height=600)
    article = full_article(
        index,
        title="月面着陸に成功",
        slug="moon-landing",
        lead_image=lead,
        body=[section("Pictures", [paragraph("From orbit."), image_block(figure)])],
    )
    Document.objects.create(
        title="Annual report", file=ContentFile(b"%PDF-1.4\n% the report\n", name="report.pdf")
    )
    # Readers' first visit makes the renditions.
    assert client.get(article.url).status_code == 200
    site = url_of(connections["default"].settings_dict)
    before = stored(bucket)
    kinds = {key.split("/")[0] for key in before}
    assert kinds == {"original_images", "images", "documents"}, sorted(before)
    assert before["documents/report.pdf"][3] == set()  # private
    assert before[lead.file.name][3] == {"READ"}  # public

    made = run("backup", tmp_path, env=command_env(site, bucket.name, s3_server))

    assert made.returncode == 0, made.stderr
    (folder,) = tmp_path.iterdir()
    assert folder.name.startswith("ukiyo-")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["media"]["objects"] == len(before)
    assert manifest["media"]["bytes"] == sum(len(content) for content, *_ in before.values())
    assert manifest["media"]["missing"] == []
    assert {entry["key"] for entry in manifest["media"]["files"]} == set(before)
    assert manifest["database"]["migrations"]["news"]
    backed_up = rows(site)

    # Published after the backup, and kept by the page cache (Redis).
    publish(article, title="Written after the backup")
    assert "Written after the backup" in client.get(article.url).content.decode()
    assert client.get(article.url)["X-Page-Cache"] == "hit"

    target = new_database(cluster, "restored")
    target_bucket = new_bucket(bucket)
    restore_env = command_env(target, target_bucket.name, s3_server, CACHE_URL=redis_caches.url)
    restored = run("restore", folder, env=restore_env)

    assert restored.returncode == 0, restored.stderr
    assert "caches were cleared" in restored.stdout
    assert rows(target) == backed_up
    assert stored(target_bucket) == before
    with site_reading(target, target_bucket, settings):
        page = client.get(article.url)
        assert page.status_code == 200
        html = page.content.decode()
        # The restored site, not the page the cache held from before the restore.
        assert "月面着陸に成功" in html and "Written after the backup" not in html
        addresses = image_addresses(html)
        assert len(addresses) >= 8, addresses
        for address in addresses:
            assert address.startswith(target_bucket.public_url), address
            status, _, body = fetch(address)
            assert status == 200, address
            assert body == before[address.removeprefix(target_bucket.public_url)][0]

    # A second restore into the same database is refused, and changes nothing.
    again = run("restore", folder, env=restore_env)
    refused(again, "already has", "--replace-database")
    assert rows(target) == backed_up
    # Unless told to replace what is there.
    replaced = run("restore", "--replace-database", "--replace-media", folder, env=restore_env)
    assert replaced.returncode == 0, replaced.stderr
    assert rows(target) == backed_up
    assert stored(target_bucket) == before

    # One file of the backup changed: the restore refuses it before writing anything.
    tampered = folder / "media" / lead.file.name
    tampered.write_bytes(tampered.read_bytes()[:-1] + b"\0")
    empty = new_database(cluster, "after_tampering")
    empty_bucket = new_bucket(bucket)
    damaged = run("restore", folder, env=command_env(empty, empty_bucket.name, s3_server))
    refused(damaged, "does not match its manifest", f"media/{lead.file.name}")
    assert table_count(empty) == 0
    assert empty_bucket.keys() == []
    refused(run("restore", "--check", folder, env=command_env()), lead.file.name)


def test_bad_input_is_refused_with_a_message_and_no_traceback(django_db_setup, s3_server, tmp_path):
    site = url_of(connections["default"].settings_dict)
    media_root = tmp_path / "media"

    refused(
        run("backup", tmp_path / "backups", env=command_env(MEDIA_ROOT=str(media_root))),
        "DATABASE_URL is not set",
    )
    closed = "http://127.0.0.1:9"
    refused(
        run("backup", tmp_path / "backups", env=command_env(site, "ukiyo-media", closed)),
        "cannot be reached",
    )
    assert not (tmp_path / "backups").exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    refused(
        run("backup", a_file / "backups", env=command_env(site, MEDIA_ROOT=str(media_root))),
        "cannot write backups in",
    )
    unfinished = tmp_path / "ukiyo-20250101-000000Z"
    unfinished.mkdir()
    refused(
        run("restore", unfinished, env=command_env(site, MEDIA_ROOT=str(media_root))),
        "has no manifest.json",
    )
    (unfinished / "manifest.json").write_text('{"format": 1, "database": []}')
    refused(run("restore", unfinished, env=command_env()), "not a backup's manifest")
