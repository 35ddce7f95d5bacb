"""Backups of everything a ukiyo site keeps, and their restore: the PostgreSQL database and the
uploaded images and documents (the media bucket, or ``MEDIA_ROOT`` without one).

    python -m scripts.backup backup DEST            (scripts/backup DEST)
    python -m scripts.backup restore SRC            (scripts/restore SRC)
    python -m scripts.backup restore --check SRC    (only check SRC against its manifest)

A backup is one folder, ``DEST/ukiyo-<UTC date and time>/``, holding:

- ``database.dump``: ``pg_dump --format=custom`` of ``DATABASE_URL``;
- ``media/``: every object of the bucket (or file of ``MEDIA_ROOT``) under its key;
- ``manifest.json``, written last: when, the migrations applied, the rows of every table, and
  each object's size, SHA-256, Content-Type, Cache-Control and whether anyone may read it
  (its ACL). A folder without one is a backup that did not finish.

The database is read in one snapshot: pg_dump imports the snapshot of a transaction of ours,
which also counts the rows and lists the files the rows name. The files are copied after the
dump. ukiyo never writes a file over another (an upload under a name taken gets a new name, a
replaced image or document gets a new file), so every file the dump names is still the one it
named when the copy reads it; only a file deleted meanwhile (an image deleted, or replaced, in
the admin) can be gone, and the manifest lists those.

A restore refuses a database that has tables and a bucket (or folder) that holds files unless
told to replace them; it checks the backup against its manifest before writing anything,
restores, then reads back what it wrote and compares again: row counts, migrations, every
object's bytes and headers. Afterwards, caches hold pages and renditions of the site as it was
before the restore: it clears the shared ones, or says to restart the app servers.

The settings are the app servers' (``cms.settings.production`` unless
``DJANGO_SETTINGS_MODULE`` says otherwise): run it with the same environment.
"""

import argparse
import hashlib
import json
import mimetypes
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
FORMAT = 1
# Objects copied at once: S3 answers each request in tens of milliseconds, most of it waiting.
THREADS = 8
CHUNK = 1024 * 1024
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
# The parts of Django's database OPTIONS that libpq (and so pg_dump and pg_restore) knows.
LIBPQ_OPTIONS = {
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "sslcrl", "connect_timeout",
    "options", "application_name", "target_session_attrs", "passfile", "service",
    "gssencmode", "channel_binding",
}  # fmt: skip
# How many problems a failed check names (all of them are counted).
SHOWN = 10


class Failure(Exception):
    """What went wrong, for the person who ran the command: printed alone, no traceback."""


# ---------------------------------------------------------------------------
# Settings and programs
# ---------------------------------------------------------------------------


def load_settings():
    """Django's settings as the app servers have them, or a Failure that says why not."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except (ImproperlyConfigured, ValueError) as error:
        raise Failure(f"the settings cannot be loaded: {error}") from None


def postgres_program(name):
    """``pg_dump`` or ``pg_restore`` of the newest PostgreSQL installed (it must be at least
    the server's version), else the one on PATH."""
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in folders:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise Failure(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def listed(problems):
    shown = "\n  ".join(problems[:SHOWN])
    more = f"\n  ... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return f"\n  {shown}{more}"


# ---------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------


@dataclass
class Database:
    """The database of ``DATABASE_URL``, as Django's settings describe it."""

    settings: dict

    @classmethod
    def from_settings(cls):
        from django.conf import settings

        if not os.environ.get("DATABASE_URL", "").strip():
            raise Failure(
                "DATABASE_URL is not set: name the site's PostgreSQL database "
                "(postgres://user@host:5432/name), as the app servers have it."
            )
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise Failure(
                "DATABASE_URL must name a PostgreSQL database (postgres://...): backups are "
                "made and restored with pg_dump and pg_restore."
            )
        return cls(database)

    @property
    def label(self):
        return (
            f"{self.settings['NAME']} on {self.settings.get('HOST') or 'localhost'}:"
            f"{self.settings.get('PORT') or 5432}"
        )

    def conninfo(self):
        from psycopg.conninfo import make_conninfo

        options = {
            key: value
            for key, value in (self.settings.get("OPTIONS") or {}).items()
            if key in LIBPQ_OPTIONS
        }
        parts = {
            "host": self.settings.get("HOST"),
            "port": self.settings.get("PORT"),
            "user": self.settings.get("USER"),
            "dbname": self.settings["NAME"],
        }
        return make_conninfo(**{key: value for key, value in parts.items() if value}, **options)

    def environ(self):
        """The environment of pg_dump and pg_restore: the password stays out of their
        command lines, which every user of the machine can read."""
        environ = dict(os.environ)
        if self.settings.get("PASSWORD"):
            environ["PGPASSWORD"] = self.settings["PASSWORD"]
        return environ

    def connect(self):
        import psycopg

        try:
            return psycopg.connect(
                self.conninfo(), password=self.settings.get("PASSWORD") or None, autocommit=True
            )
        except psycopg.Error as error:
            raise Failure(f"the database {self.label} cannot be reached: {error}") from None


def tables(connection):
    """``schema.table`` of every table of the database (PostgreSQL's own left out)."""
    rows = connection.execute(
        "SELECT n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' "
        "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2"
    ).fetchall()
    return [f"{schema}.{table}" for schema, table in rows]


def quoted(table):
    from psycopg import sql

    schema, _, name = table.partition(".")
    return sql.Identifier(schema, name)


def row_counts(connection):
    from psycopg import sql

    return {
        table: connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(quoted(table))
        ).fetchone()[0]
        for table in tables(connection)
    }


def applied_migrations(connection, present):
    """``{app: [migration, ...]}`` as ``django_migrations`` records them."""
    if "public.django_migrations" not in present:
        return {}
    applied = {}
    for app, name in connection.execute(
        "SELECT app, name FROM django_migrations ORDER BY app, name"
    ):
        applied.setdefault(app, []).append(name)
    return applied


def files_named(connection, present):
    """Every file name the rows hold (images, renditions, documents: each model's file
    fields), so that a backup can say which of them its copy of the files lacks."""
    from django.apps import apps
    from django.db.models import FileField
    from psycopg import sql

    names = set()
    for model in apps.get_models():
        table = f"public.{model._meta.db_table}"
        if table not in present:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                query = sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} <> ''").format(
                    sql.Identifier(field.column), quoted(table), sql.Identifier(field.column)
                )
                names.update(name for (name,) in connection.execute(query))
    return names


def dump_database(database, path):
    """Dump the database to ``path``; ``(its part of the manifest, the file names its rows
    hold)``, all from one snapshot."""
    import psycopg

    with database.connect() as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.transaction():
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            # pg_dump reads what this transaction sees, so it must stay open meanwhile.
            result = subprocess.run(  # noqa: S603 (pg_dump, fixed arguments)
                [postgres_program("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                 f"--file={path}", f"--dbname={database.conninfo()}"],
                env=database.environ(), capture_output=True, text=True, check=False,
            )  # fmt: skip
            if result.returncode != 0:
                raise Failure(f"pg_dump failed on {database.label}:\n{result.stderr.strip()}")
            present = tables(connection)
            part = {
                "file": DUMP,
                "bytes": path.stat().st_size,
                "sha256": sha256_of(path),
                "migrations": applied_migrations(connection, present),
                "rows": row_counts(connection),
            }
            return part, files_named(connection, present)


def empty_or_replace(database, connection, replace):
    """Refuse a database that has tables, unless ``replace``: then drop them all."""
    present = tables(connection)
    if not present:
        return
    if not replace:
        raise Failure(
            f"the database {database.label} already has {len(present)} tables "
            f"({', '.join(present[:3])}, ...): restore into an empty database (createdb), or "
            "pass --replace-database to drop everything in it first."
        )
    elsewhere = [table for table in present if not table.startswith("public.")]
    if elsewhere:
        raise Failure(
            f"the database {database.label} has tables outside the public schema "
            f"({', '.join(elsewhere[:3])}): drop them first, or restore into a new database."
        )
    import psycopg

    try:
        with connection.transaction():
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
    except psycopg.Error as error:
        raise Failure(
            f"the tables of {database.label} cannot be dropped ({error}): the database's "
            "owner must run the restore, or restore into a new database."
        ) from None


def restore_database(database, source, part):
    result = subprocess.run(  # noqa: S603 (pg_restore, fixed arguments)
        # One transaction: a restore that fails leaves the database as empty as it found it.
        # Owners and grants are those of the restoring role: the old roles may not exist here.
        [postgres_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", f"--dbname={database.conninfo()}", str(source / part["file"])],
        env=database.environ(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise Failure(
            f"pg_restore failed on {database.label}; nothing of the backup was restored:\n"
            f"{result.stderr.strip()}"
        )


def check_database(connection, part):
    """What the restored database holds against what the manifest says it held."""
    problems = []
    present = tables(connection)
    counts = row_counts(connection)
    for table, rows in part["rows"].items():
        if table not in counts:
            problems.append(f"{table}: missing")
        elif counts[table] != rows:
            problems.append(f"{table}: {counts[table]} rows, the backup had {rows}")
    problems += [f"{table}: not in the backup" for table in sorted(set(counts) - set(part["rows"]))]
    if applied_migrations(connection, present) != part["migrations"]:
        problems.append("django_migrations differs from the migrations the backup recorded")
    return problems


def migrations_report(applied):
    """What the restored database's migrations mean for the code deployed here."""
    from django.db.migrations.loader import MigrationLoader

    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    recorded = {(app, name) for app, names in applied.items() for name in names}
    unknown = sorted(recorded - on_disk)
    pending = sorted(on_disk - recorded)
    lines = []
    if unknown:
        lines.append(
            f"The backup has {len(unknown)} migrations this code does not know (e.g. "
            f"{unknown[0][0]}.{unknown[0][1]}): it was made by a newer ukiyo; deploy that "
            "version before starting the app servers."
        )
    if pending:
        lines.append(
            f"This code has {len(pending)} migrations the backup lacks: run "
            "scripts/serve --setup-only (manage.py migrate) before starting the app servers."
        )
    return lines


# ---------------------------------------------------------------------------
# The uploaded files: a bucket, or a folder
# ---------------------------------------------------------------------------


def safe_path(folder, key):
    """Where ``key`` is kept under ``folder``; None for a key that is no file's name there
    (a folder marker ``a/``, ``..``, an absolute path)."""
    parts = key.split("/")
    if not key or "\0" in key or any(part in ("", ".", "..") for part in parts):
        return None
    return folder.joinpath(*parts)


def copy_hashing(read, path):
    """Write what ``read(size)`` gives to ``path``; ``(bytes, sha256)``."""
    digest = hashlib.sha256()
    size = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        while chunk := read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            file.write(chunk)
    return size, digest.hexdigest()


class BucketMedia:
    """The media bucket of ``MEDIA_BUCKET``, through the app servers' own S3 client (the same
    endpoint, region, credentials, timeouts and retries)."""

    def __init__(self, storage):
        self.client = storage.connection.meta.client
        self.name = storage.bucket_name
        self.label = f"bucket {self.name} at {storage.endpoint_url or 'AWS S3'}"

    def describe(self):
        return {"storage": "bucket", "bucket": self.name}

    def reachable(self):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.name)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                raise Failure(
                    f"the {self.label} does not exist (to restore into a new bucket, create "
                    "it first with the old one's settings: public reads of the image "
                    "folders, CORS, versioning)."
                ) from None
            raise Failure(f"the {self.label} refuses these credentials: {error}") from None
        except BotoCoreError as error:
            raise Failure(f"the {self.label} cannot be reached: {error}") from None

    def names(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return [item["Key"] for page in pages for item in page.get("Contents", ())]

    def first_key(self):
        listing = self.client.list_objects_v2(Bucket=self.name, MaxKeys=1)
        contents = listing.get("Contents") or ()
        return contents[0]["Key"] if contents else None

    def public(self, key):
        """Whether anyone may read ``key``; None where the storage keeps no ACLs (R2)."""
        from botocore.exceptions import ClientError

        try:
            grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        except ClientError:
            return None
        return any(
            grant["Grantee"].get("URI") == ALL_USERS
            and grant["Permission"] in {"READ", "FULL_CONTROL"}
            for grant in grants
        )

    def save(self, key, path):
        """Copy ``key`` to ``path``; its entry of the manifest, or None when it was deleted
        since the listing."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.name, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchKey":
                return None
            raise
        size, digest = copy_hashing(answer["Body"].read, path)
        return {
            "key": key,
            "bytes": size,
            "sha256": digest,
            "content_type": answer.get("ContentType"),
            "cache_control": answer.get("CacheControl"),
            "public": self.public(key),
        }

    def put(self, entry, path):
        extra = {
            "ContentType": entry["content_type"]
            or mimetypes.guess_type(entry["key"])[0]
            or "application/octet-stream"
        }
        if entry["cache_control"]:
            extra["CacheControl"] = entry["cache_control"]
        if entry["public"]:
            # Private is what a new object is without one; a bucket whose ACLs are turned off
            # refuses any other, and keeps its objects private (its policy decides).
            extra["ACL"] = "public-read"
        self.client.upload_file(str(path), self.name, entry["key"], ExtraArgs=extra)

    def problems(self, entry):
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.name, Key=entry["key"])
        except ClientError as error:
            return [f"{entry['key']}: {error.response.get('Error', {}).get('Code', error)}"]
        digest = hashlib.sha256()
        size = 0
        while chunk := answer["Body"].read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        found = {
            "bytes": size,
            "sha256": digest.hexdigest(),
            "content_type": answer.get("ContentType"),
            "cache_control": answer.get("CacheControl"),
        }
        if entry["public"] is not None:
            found["public"] = self.public(entry["key"])
        return [
            f"{entry['key']}: {name} is {value!r}, the backup has {entry[name]!r}"
            for name, value in found.items()
            if entry[name] is not None and value != entry[name]
        ]


class FolderMedia:
    """``MEDIA_ROOT``, where uploads stay without a bucket."""

    def __init__(self, root):
        self.root = Path(root)
        self.label = f"folder {self.root}"

    def describe(self):
        return {"storage": "folder", "folder": str(self.root)}

    def reachable(self):
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise Failure(f"MEDIA_ROOT {self.root} is not a folder.")

    def names(self):
        if not self.root.is_dir():
            return []
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file()
        )

    def first_key(self):
        return next(iter(self.names()), None)

    def save(self, key, path):
        try:
            file = open(self.root / key, "rb")  # noqa: SIM115 (closed below)
        except FileNotFoundError:
            return None  # deleted since the listing
        with file:
            size, digest = copy_hashing(file.read, path)
        return {
            "key": key,
            "bytes": size,
            "sha256": digest,
            "content_type": None,
            "cache_control": None,
            "public": None,
        }

    def put(self, entry, path):
        target = safe_path(self.root, entry["key"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)

    def problems(self, entry):
        target = safe_path(self.root, entry["key"])
        if not target.is_file():
            return [f"{entry['key']}: missing"]
        if sha256_of(target) != entry["sha256"]:
            return [f"{entry['key']}: its bytes differ from the backup's"]
        return []


def media_storage():
    """The uploaded files' storage of the settings: a bucket, or ``MEDIA_ROOT``."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage, storages
    from storages.backends.s3 import S3Storage

    storage = storages["default"]
    if isinstance(storage, S3Storage):
        return BucketMedia(storage)
    if isinstance(storage, FileSystemStorage):
        return FolderMedia(settings.MEDIA_ROOT)
    raise Failure(
        f"uploaded files are kept by {type(storage).__name__}, which cannot be backed up."
    )


def in_parallel(function, items):
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(function, items))


# ---------------------------------------------------------------------------
# Backup
# ---------------------------------------------------------------------------


def backup(destination):
    load_settings()
    database = Database.from_settings()
    media = media_storage()
    with database.connect():
        pass
    media.reachable()

    destination = Path(destination)
    try:
        destination.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise Failure(f"cannot write backups in {destination}: {error.strerror}") from None
    if not os.access(destination, os.W_OK | os.X_OK):
        raise Failure(f"cannot write backups in {destination}: permission denied")
    started = datetime.now(UTC)
    name = f"ukiyo-{started:%Y%m%d-%H%M%SZ}"
    final = destination / name
    partial = destination / f".{name}.partial"
    if final.exists() or partial.exists():
        raise Failure(f"{final} exists already: one backup a second at most.")
    try:
        partial.mkdir()
        (partial / MEDIA).mkdir()
        part, named = dump_database(database, partial / DUMP)
        keys, skipped = [], []
        for key in media.names():
            (keys if safe_path(partial / MEDIA, key) else skipped).append(key)
        entries = in_parallel(lambda key: media.save(key, safe_path(partial / MEDIA, key)), keys)
        entries = [entry for entry in entries if entry is not None]
        missing = sorted(named - {entry["key"] for entry in entries})
        manifest = {
            "format": FORMAT,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": part,
            "media": {
                **media.describe(),
                "objects": len(entries),
                "bytes": sum(entry["bytes"] for entry in entries),
                "files": entries,
                # Keys that are no file's name (folder markers): not copied.
                "skipped": skipped,
                # Files the rows name that were deleted before the copy read them.
                "missing": missing,
            },
        }
        with open(partial / MANIFEST, "w") as file:
            json.dump(manifest, file, indent=1, ensure_ascii=False)
            file.write("\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    rows = sum(part["rows"].values())
    print(
        f"{final}: database {part['bytes']} bytes ({len(part['rows'])} tables, {rows} rows), "
        f"{len(entries)} files ({manifest['media']['bytes']} bytes) from the {media.label}."
    )
    if missing:
        print(
            f"{len(missing)} files the database names were deleted before they were copied "
            f"(listed as missing in the manifest):{listed(missing)}",
            file=sys.stderr,
        )
    return 0


# ---------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------


# What the manifest's parts hold: each name and the types its value may have.
DATABASE_SHAPE = {"file": str, "bytes": int, "sha256": str, "migrations": dict, "rows": dict}
FILE_SHAPE = {
    "key": str,
    "bytes": int,
    "sha256": str,
    "content_type": (str, type(None)),
    "cache_control": (str, type(None)),
    "public": (bool, type(None)),
}


def shaped(value, shape):
    return isinstance(value, dict) and all(
        isinstance(value.get(name), types) for name, types in shape.items()
    )


def read_manifest(source):
    source = Path(source)
    path = source / MANIFEST
    if not source.is_dir():
        raise Failure(f"{source} is not a folder: give a backup's folder (ukiyo-<date>).")
    if not path.is_file():
        raise Failure(
            f"{source} has no {MANIFEST}: it is not a backup, or one that did not finish."
        )
    try:
        manifest = json.loads(path.read_text())
        if manifest.get("format") != FORMAT:
            raise Failure(f"{path}: a manifest of format {manifest.get('format')!r}, not {FORMAT}.")
        valid = shaped(manifest["database"], DATABASE_SHAPE) and all(
            shaped(entry, FILE_SHAPE) for entry in manifest["media"]["files"]
        )
        valid = valid and manifest["database"]["file"] == DUMP
        valid = valid and isinstance(manifest["media"].get("missing", []), list)
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise Failure(f"{path} is not a backup's manifest, or it was damaged.")
    return manifest


def backup_problems(source, manifest):
    """Whether the files of the backup are those the manifest describes."""
    source = Path(source)
    dump = source / manifest["database"]["file"]
    problems = []
    if not dump.is_file():
        problems.append(f"{manifest['database']['file']}: missing")
    elif sha256_of(dump) != manifest["database"]["sha256"]:
        problems.append(f"{manifest['database']['file']}: its bytes differ from the manifest's")

    def check(entry):
        path = safe_path(source / MEDIA, entry["key"])
        if path is None or not path.is_file():
            return [f"{MEDIA}/{entry['key']}: missing"]
        if path.stat().st_size != entry["bytes"] or sha256_of(path) != entry["sha256"]:
            return [f"{MEDIA}/{entry['key']}: its bytes differ from the manifest's"]
        return []

    for found in in_parallel(check, manifest["media"]["files"]):
        problems += found
    return problems


def clear_caches():
    """Make what the caches hold from before the restore go away: pages and API answers (the
    page cache), renditions (the default cache). Caches in each process's memory go with
    the process: a restart of the app servers."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import CommandError, call_command

    local = "django.core.cache.backends.locmem.LocMemCache"
    shared = [
        alias
        for alias in ("default", "renditions")
        if alias in settings.CACHES and settings.CACHES[alias]["BACKEND"] != local
    ]
    try:
        for alias in shared:
            caches[alias].clear()
        call_command("clear_page_cache", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except CommandError as error:
        raise Failure(f"restored and checked, but {error}") from None
    except Exception as error:  # what a cache raises when it fails is its own
        raise Failure(
            f"restored and checked, but the cache cannot be cleared ({error}): run "
            "manage.py clear_page_cache once it answers."
        ) from None
    if settings.CACHES[settings.UKIYO_PAGE_CACHE_ALIAS]["BACKEND"] == local:
        print(
            "The caches are in each app server's memory (locmem://): restart the app servers, "
            "so that none serves a page or rendition from before the restore."
        )
    else:
        print("The caches were cleared: no page, rendition or API answer from before the restore.")


def restore(source, replace_database=False, replace_media=False, check_only=False):
    manifest = read_manifest(source)
    source = Path(source)
    problems = backup_problems(source, manifest)
    if problems:
        raise Failure(
            f"the backup {source} does not match its manifest; nothing was restored:"
            f"{listed(problems)}"
        )
    files = manifest["media"]["files"]
    if check_only:
        print(f"{source}: the database dump and {len(files)} files match the manifest.")
        return 0

    load_settings()
    database = Database.from_settings()
    media = media_storage()
    with database.connect() as connection:
        media.reachable()
        # Both checked before either is written.
        if not replace_database:
            empty_or_replace(database, connection, replace=False)
        first = media.first_key()
        if first is not None and not replace_media:
            raise Failure(
                f"the {media.label} already holds files ({first}, ...): restore into an empty "
                "one, or pass --replace-media to write over those the backup has (others stay)."
            )
        if replace_database:
            empty_or_replace(database, connection, replace=True)
        restore_database(database, source, manifest["database"])
        problems = check_database(connection, manifest["database"])
        if problems:
            raise Failure(f"the restored database differs from the backup:{listed(problems)}")

    in_parallel(lambda entry: media.put(entry, safe_path(source / MEDIA, entry["key"])), files)
    problems = [problem for found in in_parallel(media.problems, files) for problem in found]
    if problems:
        raise Failure(f"the restored files differ from the backup:{listed(problems)}")

    print(
        f"Restored {source} into {database.label} "
        f"({sum(manifest['database']['rows'].values())} rows, checked) and the {media.label} "
        f"({len(files)} files, {manifest['media']['bytes']} bytes, each read back and checked)."
    )
    for line in migrations_report(manifest["database"]["migrations"]):
        print(line)
    missing = manifest["media"].get("missing") or []
    if missing:
        print(
            f"{len(missing)} files the database names were deleted before the backup copied "
            f"them; their images or documents have no file:{listed(missing)}"
        )
    clear_caches()
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m scripts.backup",
        description="Back up ukiyo's database and uploaded files, or restore a backup.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser(
        "backup", help="write DEST/ukiyo-<date>/: the database, every file, a manifest"
    )
    make.add_argument("destination", metavar="DEST")
    back = commands.add_parser(
        "restore", help="restore a backup into an empty database and an empty bucket"
    )
    back.add_argument("source", metavar="SRC")
    back.add_argument(
        "--replace-database", action="store_true",
        help="drop every table of the database first",
    )  # fmt: skip
    back.add_argument(
        "--replace-media", action="store_true",
        help="write over the files of the bucket (or MEDIA_ROOT) that the backup has",
    )  # fmt: skip
    back.add_argument(
        "--check", action="store_true",
        help="only check the backup's files against its manifest",
    )  # fmt: skip
    options = parser.parse_args(argv)
    try:
        if options.command == "backup":
            return backup(options.destination)
        return restore(
            options.source,
            replace_database=options.replace_database,
            replace_media=options.replace_media,
            check_only=options.check,
        )
    except Failure as failure:
        print(f"{options.command}: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{options.command}: interrupted.", file=sys.stderr)
        return 130
    except OSError as error:
        # A full disk, a folder that cannot be written.
        print(f"{options.command}: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        if not isinstance(error, Boto3Error | BotoCoreError | ClientError):
            raise
        # What the bucket said, without a traceback: a refused ACL, lost credentials.
        print(f"{options.command}: the bucket answered: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
