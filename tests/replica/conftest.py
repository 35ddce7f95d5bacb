"""A PostgreSQL primary and a hot standby that streams its WAL: the read replica, for real.

The suite's own server is shared by every test and never reconfigured, so these tests make a
pair of their own, in a temporary folder, on free ports of 127.0.0.1 (as root, the servers
run as the ``postgres`` user, which PostgreSQL requires):

- the primary, started with ``wal_level=replica`` and WAL senders, holds a copy of the suite's
  test database (``pg_dump``/``pg_restore``: its tables and what the migrations wrote);
- the standby is a ``pg_basebackup -R`` of the primary: it connects back to it, replays what
  it streams, and answers read-only queries (``hot_standby``).

While the tests run, the ``default`` database points at the primary and a ``replica`` database
at the standby (a mirror of ``default`` for Django's test machinery: never created, flushed or
migrated); the suite's server is back in place afterwards. The tests commit what they write
(``transaction=True``: replication only sees commits), and the primary's database is emptied
and restored after each (``serialized_rollback=True``).

``Replication`` pauses and resumes the standby's replay (``pg_wal_replay_pause()``: the replica
falls behind while the primary goes on), waits until it has caught up, and stops and starts it.
"""

import copy
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connections

from core import databases
from tests.postgres import ensure_postgres_user, free_port, server_binaries

WAIT_SECONDS = 60
# The standby answers queries while it replays; one that holds up the replay of a change is
# cancelled after a second (the replica's readers then read the primary).
STANDBY_SETTINGS = ("hot_standby=on", "max_standby_streaming_delay=1s")


def server_user():
    """Who runs the servers: this user, or ``postgres`` for root (created if missing)."""
    if os.geteuid() != 0:
        return None
    ensure_postgres_user()
    return "postgres"


def server_locale():
    """C.UTF-8, as the suite's own server has it, where the system has it; else C."""
    available = subprocess.run(
        ["locale", "-a"], capture_output=True, text=True, check=False, timeout=WAIT_SECONDS
    ).stdout.lower()
    return "C.UTF-8" if {"c.utf8", "c.utf-8"} & set(available.split()) else "C"


class Server:
    """One PostgreSQL server with its data in ``folder/name``, reached as the role ``ukiyo``."""

    def __init__(self, folder, name, binaries, user):
        self.folder = folder
        self.name = name
        self.binaries = binaries
        self.user = user
        self.data = folder / name
        self.log = folder / f"{name}.log"
        self.port = free_port()

    def run(self, program, *args, check=True):
        command = [str(self.binaries / program), *map(str, args)]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(
            command,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS * 2,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"{program} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n"
                f"{self.log.read_text() if self.log.exists() else ''}",
                pytrace=False,
            )
        return result

    def start(self, *settings):
        """Start the server (on its port, every time) and wait until it answers queries."""
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories='{self.folder}'",
                "-c fsync=off",
                *(f"-c {setting}" for setting in settings),
            ]
        )
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w",
                 "-t", WAIT_SECONDS, "start")  # fmt: skip
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                with self.connect("postgres") as connection:
                    connection.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                time.sleep(0.2)
        pytest.fail(f"{self.name} does not answer:\n{self.log.read_text()}", pytrace=False)

    def stop(self, mode="fast"):
        """``fast``: as an orderly shutdown; ``immediate``: as a crash."""
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", WAIT_SECONDS, "stop")

    def running(self):
        return (self.data / "postmaster.pid").exists()

    def connect(self, dbname):
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="ukiyo",
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )


@dataclass
class Replication:
    primary: Server
    standby: Server
    dbname: str

    def query(self, server, sql):
        with server.connect(self.dbname) as connection:
            return connection.execute(sql).fetchone()

    def pause(self):
        """Stop replaying: the replica stays as it is while the primary goes on."""
        self.query(self.standby, "SELECT pg_wal_replay_pause()")
        self.wait_for(
            lambda: (
                self.query(self.standby, "SELECT pg_get_wal_replay_pause_state()")[0] == "paused"
            ),
            "the standby to pause its replay",
        )

    def start_standby(self):
        self.standby.start(*STANDBY_SETTINGS)

    def resume(self):
        self.query(self.standby, "SELECT pg_wal_replay_resume()")

    def paused(self):
        return self.query(self.standby, "SELECT pg_is_wal_replay_paused()")[0]

    def catch_up(self):
        """Wait until the standby has replayed everything the primary has written."""
        with self.primary.connect(self.dbname) as connection:
            target = databases.primary_position(connection)

        def replayed():
            with self.standby.connect(self.dbname) as connection:
                return databases.replayed_position(connection) >= target

        self.wait_for(replayed, "the standby to catch up with the primary")

    @staticmethod
    def wait_for(condition, what):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        pytest.fail(f"Waited {WAIT_SECONDS} s for {what}.", pytrace=False)


def copy_database(source, server, dbname):
    """The suite's test database (``source``: its settings) into ``server``, same name."""
    dump = server.folder / "suite.dump"
    environ = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
    subprocess.run(
        [str(server.binaries / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
         "-h", source.get("HOST") or "127.0.0.1", "-p", str(source.get("PORT") or 5432),
         "-U", source.get("USER") or "ukiyo", "-f", str(dump), dbname],
        env=environ, check=True, capture_output=True, timeout=WAIT_SECONDS * 2,
    )  # fmt: skip
    with server.connect("postgres") as connection:
        connection.execute(f'CREATE DATABASE "{dbname}"')
    subprocess.run(
        [str(server.binaries / "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "-h", "127.0.0.1", "-p", str(server.port), "-U", "ukiyo", "-d", dbname, str(dump)],
        check=True, capture_output=True, timeout=WAIT_SECONDS * 2,
    )  # fmt: skip
    dump.unlink()


@pytest.fixture(scope="module")
def replication(django_db_setup, django_db_blocker):
    """A primary holding the test database and a standby replaying it, as ``default`` and
    ``replica`` for the module's tests."""
    binaries = server_binaries("pg_basebackup", "pg_dump", "pg_restore", "pg_isready")
    user = server_user()
    # In /tmp, not pytest's folder: the servers' user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="ukiyo-replica-"))
    if user:
        shutil.chown(folder, user, user)
    primary = Server(folder, "primary", binaries, user)
    standby = Server(folder, "standby", binaries, user)
    suite = connections["default"].settings_dict
    dbname = suite["NAME"]
    saved = {key: suite[key] for key in ("HOST", "PORT")}
    try:
        primary.run("initdb", "-D", primary.data, "-A", "trust", "-U", "ukiyo",
                    "--encoding=UTF8", f"--locale={server_locale()}", "--no-sync")  # fmt: skip
        # Enough WAL kept for a standby that was stopped for a while to catch up again.
        primary.start("wal_level=replica", "max_wal_senders=4", "wal_keep_size=256MB")
        copy_database(suite, primary, dbname)
        standby.run("pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", "ukiyo",
                    "-D", standby.data, "--write-recovery-conf", "--wal-method=stream",
                    "--checkpoint=fast", "--no-sync")  # fmt: skip
        standby.start(*STANDBY_SETTINGS)

        with django_db_blocker.unblock():
            connections["default"].close()
            suite.update(HOST="127.0.0.1", PORT=str(primary.port))
            replica = copy.deepcopy(suite)
            replica.update(PORT=str(standby.port))
            replica["OPTIONS"]["connect_timeout"] = 3
            replica["TEST"] = {**replica["TEST"], "MIRROR": "default"}
            connections.settings[databases.REPLICA] = replica
        yield Replication(primary, standby, dbname)
    finally:
        with django_db_blocker.unblock():
            for alias in (databases.PRIMARY, databases.REPLICA):
                if alias in connections.settings:
                    connections[alias].close()
            connections.settings.pop(databases.REPLICA, None)
            with suppress(AttributeError):  # never used in this thread
                del connections[databases.REPLICA]
            suite.update(saved)
        for server in (standby, primary):
            if server.running():
                server.run("pg_ctl", "-D", server.data, "-m", "immediate", "-w", "stop",
                           check=False)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
