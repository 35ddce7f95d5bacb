"""Settings come from the environment; production refuses to start half-configured."""

import json
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


def read_settings(module, names, **environ):
    """The settings ``names`` of ``module`` under ``environ``, as loaded by a fresh process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "CACHE_", "TRUSTED_", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example", **environ)
    env["DJANGO_SETTINGS_MODULE"] = module
    code = (
        "import json, sys, django; from django.conf import settings; "
        "print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_email_goes_to_the_console_unless_an_smtp_server_is_named():
    assert read_settings("cms.settings.production", ["EMAIL_BACKEND"]) == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    smtp = read_settings(
        "cms.settings.production",
        ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_HOST_USER"],
        EMAIL_HOST="smtp.news.example",
        EMAIL_HOST_USER="newsroom",
    )
    assert smtp == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.news.example",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
        "EMAIL_HOST_USER": "newsroom",
    }


def test_passwords_are_hashed_with_argon2_outside_the_tests():
    hashers = read_settings("cms.settings.production", ["PASSWORD_HASHERS"])["PASSWORD_HASHERS"]
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", ""),
        (
            "redis://cache:6379/1",
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache:6379/1",
        ),
        ("db://ukiyo_cache", "django.core.cache.backends.db.DatabaseCache", "ukiyo_cache"),
    ],
)
def test_the_cache_comes_from_cache_url(url, backend, location):
    caches = read_settings("cms.settings.production", ["CACHES"], CACHE_URL=url)["CACHES"]
    assert caches["default"] == {"BACKEND": backend, "LOCATION": location}


def test_an_unknown_cache_url_stops_the_start_with_its_reason():
    result = load_settings(
        "cms.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="a.example",
        CACHE_URL="memcached://x",
    )
    assert result.returncode != 0
    assert "CACHE_URL: unknown cache 'memcached://x'" in result.stderr


def deploy_warnings(**environ):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CACHE_", "TRUSTED_", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"))
    }
    env.update(
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="news.example",
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        **environ,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--tag", "caches"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout + result.stderr


def test_deploy_check_warns_when_readers_would_share_the_proxys_address():
    assert "ukiyo.W001" in deploy_warnings()
    assert "ukiyo.W001" not in deploy_warnings(TRUSTED_PROXY_COUNT="1")
    assert "ukiyo.W001" not in deploy_warnings(TRUSTED_CLIENT_IP_HEADER="X-Real-IP")


def test_deploy_check_warns_when_rate_limits_count_per_process():
    assert "ukiyo.W002" in deploy_warnings()
    assert "ukiyo.W002" not in deploy_warnings(CACHE_URL="db://ukiyo_cache")


def test_deploy_check_warns_when_the_page_cache_is_per_process():
    assert "ukiyo.W003" in deploy_warnings()
    assert "ukiyo.W003" not in deploy_warnings(PAGE_CACHE_URL="redis://cache.internal:6379/1")
    assert "ukiyo.W003" not in deploy_warnings(PAGE_CACHE="off")
