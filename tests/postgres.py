"""A PostgreSQL cluster of a test's own, to stop and start at will (scripts/with-postgres, in
Python).

The suite's shared database is never stopped: a test that needs PostgreSQL to go away (and
come back) makes its own cluster in a temporary folder, listening on a free port of
127.0.0.1, with the role and database ``ukiyo`` (trust authentication). As root, the server
runs as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

START_SECONDS = 60


def server_binaries(*programs):
    """The folder of PostgreSQL's server programs (``initdb`` and ``pg_ctl``, and ``programs``):
    the newest /usr/lib/postgresql/*/bin that has them all, else PATH's."""
    needed = ("initdb", "pg_ctl", *programs)
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
        reverse=True,
    )
    initdb = shutil.which("initdb")
    if initdb:
        folders.append(Path(initdb).parent)
    for folder in folders:
        if all((folder / program).exists() for program in needed):
            return folder
    pytest.fail(
        f"PostgreSQL's server programs ({', '.join(needed)}) are missing; "
        "`make install-test` installs Debian's postgresql package.",
        pytrace=False,
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A throwaway cluster: ``start()``, ``stop()``, ``url``; ``remove()`` when done."""

    def __init__(self):
        self.bin = server_binaries()
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="ukiyo-pg-test-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = None
        if self.as_root:
            ensure_postgres_user()
            shutil.chown(self.folder, "postgres", "postgres")
        self.run(
            "initdb", "-D", self.data, "-A", "trust", "-U", "ukiyo", "--encoding=UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip

    @property
    def url(self):
        return f"postgres://ukiyo@127.0.0.1:{self.port}/ukiyo"

    def run(self, program, *args, check=True, timeout=START_SECONDS):
        command = [str(self.bin / program), *map(str, args)]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, cwd=self.folder, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            pytest.fail(f"{program} failed: {result.stderr}\n{log}", pytrace=False)
        return result

    def start(self):
        """Start the server (on the same port as before, once it has one) and wait until it
        accepts connections."""
        self.port = self.port or free_port()
        options = (
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.folder}"
        )
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", 60, "start")
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            ready = self.run(
                "pg_isready", "-q", "-h", "127.0.0.1", "-p", self.port, "-U", "ukiyo",
                "-d", "postgres", check=False,
            )  # fmt: skip
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        pytest.fail(f"PostgreSQL did not accept connections:\n{self.log.read_text()}")

    def stop(self, mode="fast"):
        """Stop the server: ``fast`` ends every session (as a restart does), ``immediate``
        as a crash would."""
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", 60, "stop")

    def create_database(self):
        self.run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "ukiyo", "ukiyo")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def ensure_postgres_user():
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
             "/nonexistent", "--shell", "/usr/sbin/nologin", "postgres"],
            check=True,
        )  # fmt: skip


def copy_database(settings_dict, cluster):
    """Copy a database (the suite's test database: its tables and what the migrations wrote)
    into ``cluster``'s ``ukiyo`` database, with ``pg_dump`` and ``pg_restore``."""
    environ = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    source = [
        "-h", settings_dict.get("HOST") or "127.0.0.1",
        "-p", str(settings_dict.get("PORT") or 5432),
        "-U", settings_dict.get("USER") or "ukiyo",
    ]  # fmt: skip
    dump = cluster.folder / "copy.dump"
    subprocess.run(
        [str(cluster.bin / "pg_dump"), *source, "-Fc", "--no-owner", "--no-privileges",
         "-f", str(dump), settings_dict["NAME"]],
        env=environ, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        [str(cluster.bin / "pg_restore"), "-h", "127.0.0.1", "-p", str(cluster.port),
         "-U", "ukiyo", "-d", "ukiyo", "--no-owner", "--no-privileges", str(dump)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


@contextmanager
def copy_of_test_database():
    """A cluster of its own holding a copy of the suite's migrated test database (inside a
    fixture that depends on ``django_db_setup``), removed afterwards."""
    from django.db import connection

    cluster = Cluster()
    try:
        cluster.start()
        cluster.create_database()
        copy_database(connection.settings_dict, cluster)
        yield cluster
    finally:
        cluster.remove()
