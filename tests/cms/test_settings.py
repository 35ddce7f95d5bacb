"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(module, **environ):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(environ)
    code = (
        "import json, django; from django.conf import settings; "
        "print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, "
        "'engine': settings.DATABASES['default']['ENGINE'], "
        "'name': str(settings.DATABASES['default']['NAME'])}))"
    )
    env["DJANGO_SETTINGS_MODULE"] = module
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings("cms.settings.production", ALLOWED_HOSTS="news.example")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings("cms.settings.production", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_production_reads_everything_from_the_environment():
    result = load_settings(
        "cms.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="news.example, www.news.example",
        DATABASE_URL="postgres://ukiyo:secret@db.internal:5432/ukiyo",
    )
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout
    assert '"hosts": ["news.example", "www.news.example"]' in result.stdout
    assert '"engine": "django.db.backends.postgresql"' in result.stdout


@pytest.mark.parametrize("module", ["cms.settings.dev", "cms.settings.production"])
def test_sqlite_is_the_default_database(module):
    result = load_settings(module, SECRET_KEY="x" * 50, ALLOWED_HOSTS="localhost")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert 'db.sqlite3"' in result.stdout
