"""``compat.modelsearch``: fails when modelsearch's SQLite backend escapes quotes itself.

modelsearch defines its SQLite backend only when the database is SQLite, so the check runs in
a subprocess with an in-memory SQLite database (no tables are needed to compile a term).
"""

import os
import subprocess
import sys
from pathlib import Path

from compat.modelsearch import fts5_quotes_escaped

ROOT = Path(__file__).resolve().parents[2]


def test_modelsearch_still_leaves_quotes_in_sqlite_terms_unescaped():
    # Once this fails, upstream fixed https://github.com/wagtail/wagtail/issues/13227: stop
    # doubling quotes in search.backends, or they would be doubled twice.
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite://:memory:",
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
    }
    script = (
        "import django; django.setup(); "
        "from compat.modelsearch import backend_escapes_fts5_quotes as escapes; "
        "print(escapes())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_quotes_are_doubled_as_fts5_expects():
    assert fts5_quotes_escaped('say "hi"') == 'say ""hi""'
