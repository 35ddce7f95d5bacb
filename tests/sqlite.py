"""Run ``manage.py`` against a SQLite file of its own, as the embedded default does.

The test suite itself runs on PostgreSQL; the tests that must see SQLite (the demo, FTS5
search, the worker's locks) start a fresh process whose ``DATABASE_URL`` names a file in a
temporary folder.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sqlite_env(folder, settings_module, **extra):
    """This process's environment, pointed at ``folder/db.sqlite3`` and ``settings_module``."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE=settings_module,
        **extra,
    )
    return env


def manage(*args, env, timeout=600, **kwargs):
    """``manage.py *args`` in a new process with ``env``; its output is captured as text."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )
