"""The embedded default survives its own worker: writes wait for the lock, never fail.

Runs ``manage.py`` in subprocesses against a SQLite file with the demo's settings: the
webhook worker as ``make demo`` starts it, and 30 writes from six threads at once, each
a transaction that reads and then writes, as a PATCH through the API does. The worker
polls every 50 ms instead of every second, so that the lock it takes meets the writes in
every run rather than in one run out of many.
"""

import json
import subprocess
import sys
import time

import pytest

from tests.sqlite import ROOT, manage, sqlite_env

WRITES = """
import json, time, uuid
from concurrent.futures import ThreadPoolExecutor
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction

run = uuid.uuid4().hex[:8]

def write(n):
    try:
        with transaction.atomic():
            group, _ = Group.objects.get_or_create(name=f"{run} shared {n % 5}")
            time.sleep(0.01)  # the view's work between its read and its write
            group.save()
            Group.objects.create(name=f"{run} row {n}")
        return "ok"
    except OperationalError as error:
        return str(error)
    finally:
        connection.close()

with ThreadPoolExecutor(6) as pool:
    print(json.dumps(list(pool.map(write, range(30)))))
"""


# As make demo starts it, polling more often.
WORKER = ["db_worker", "--backend", "worker", "--queue-name", "*", "--no-reload"]
WORKER += ["--no-startup-delay", "--interval", "0.05"]


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite")
    env = sqlite_env(folder, "cms.settings.dev")
    # The worker's queue and a table to write to are all this needs.
    for app in ("django_tasks_database", "auth"):
        result = manage("migrate", app, "--noinput", env=env)
        assert result.returncode == 0, result.stderr[-3000:]
    return env, folder


@pytest.fixture
def worker(demo_env):
    env, folder = demo_env
    log = folder / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", *WORKER],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(600):  # until it polls (it logs once, when it starts)
            if "Starting worker" in log.read_text() or process.poll() is not None:
                break
            time.sleep(0.1)
        assert process.poll() is None, log.read_text()
        yield process, log
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_concurrent_writes_wait_for_the_webhook_worker(demo_env, worker):
    env, _folder = demo_env
    result = manage("shell", "-v0", "-c", WRITES, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcomes == ["ok"] * 30
    process, log = worker
    # The worker waited its turn too, and is still running.
    assert process.poll() is None, log.read_text()


def test_sqlite_waits_for_the_lock_in_write_ahead_logging(demo_env):
    env, _folder = demo_env
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "connection.transaction_mode, connection.settings_dict['OPTIONS']['timeout'])"
    )
    result = manage("shell", "-v0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["wal", "IMMEDIATE", "20"]


def test_options_in_the_database_url_win(demo_env):
    env, folder = demo_env
    env = {**env, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}?timeout=3"}
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = manage("shell", "-v0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'timeout': 3" in result.stdout
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout
