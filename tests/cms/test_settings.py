"""Settings come from the environment; production refuses to start half-configured."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

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
            "redis://cache:6379/1?socket_timeout=0.25",
            "core.sharedcache.RedisCache",
            "redis://cache:6379/1?socket_timeout=0.25",
        ),
        ("db://ukiyo_cache", "django.core.cache.backends.db.DatabaseCache", "ukiyo_cache"),
    ],
)
def test_the_cache_comes_from_cache_url(url, backend, location):
    caches = read_settings("cms.settings.production", ["CACHES"], CACHE_URL=url)["CACHES"]
    assert caches["default"] == {"BACKEND": backend, "LOCATION": location}


def test_redis_is_asked_again_after_the_retry_interval_the_environment_gives():
    caches = read_settings(
        "cms.settings.production",
        ["CACHES"],
        CACHE_URL="redis://cache:6379/0",
        PAGE_CACHE_URL="redis://pages:6379/0",
        CACHE_RETRY_INTERVAL="2.5",
    )["CACHES"]
    assert caches["default"]["OPTIONS"] == {"retry_interval": 2.5}
    assert caches["pages"]["OPTIONS"] == {"retry_interval": 2.5}
    assert caches["pages"]["LOCATION"] == "redis://pages:6379/0"


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "7200"])
def test_a_wrong_retry_interval_stops_the_start_with_its_reason(value):
    result = load_settings(
        "cms.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="a.example",
        CACHE_URL="redis://cache:6379/0",
        CACHE_RETRY_INTERVAL=value,
    )
    assert result.returncode != 0
    assert f"CACHE_RETRY_INTERVAL must be a number of seconds (0 < s <= 3600), not {value!r}" in (
        result.stderr
    )


def test_the_release_names_the_page_cache_keys_and_must_be_plain():
    from cms.settings.environment import release_from_env

    assert release_from_env({}) == ""
    assert release_from_env({"RELEASE": " 2026-12-08.3a74bd8 "}) == "2026-12-08.3a74bd8"
    result = load_settings(
        "cms.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example",
        RELEASE="release 8",
    )  # fmt: skip
    assert result.returncode != 0
    assert "RELEASE must be 1-64 letters, digits and ._+-" in result.stderr
    for wrong in ("a/b", "x" * 65, "-leading", "\u30ea\u30ea\u30fc\u30b9"):
        with pytest.raises(ImproperlyConfigured, match="RELEASE must be"):
            release_from_env({"RELEASE": wrong})


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


ZONE = "0123456789abcdef0123456789abcdef"


def frontend_caches(monkeypatch=None, boto3=False, **environ):
    from cms.settings import environment

    if monkeypatch is not None:
        found = object() if boto3 else None
        monkeypatch.setattr(environment.importlib.util, "find_spec", lambda name: found)
    return environment.frontend_cache_from_env(environ)


def test_no_cache_to_purge_by_default():
    assert frontend_caches() == {}


def test_http_purge_urls_are_one_backend_each():
    from cms.settings.environment import HTTP_PURGE

    assert frontend_caches(FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:6081") == {
        "http": {"BACKEND": HTTP_PURGE, "LOCATION": "http://127.0.0.1:6081"}
    }
    assert frontend_caches(
        FRONTEND_CACHE_PURGE_URL="http://10.0.0.5:6081/, https://cache.internal"
    ) == {
        "http-1": {"BACKEND": HTTP_PURGE, "LOCATION": "http://10.0.0.5:6081"},
        "http-2": {"BACKEND": HTTP_PURGE, "LOCATION": "https://cache.internal"},
    }


@pytest.mark.parametrize(
    "url", ["127.0.0.1:6081", "ftp://cache", "http://cache/purge/", "http://cache?x=1", "http://"]
)
def test_a_purge_url_that_is_not_a_caches_address_stops_the_start(url):
    with pytest.raises(ImproperlyConfigured, match=r"FRONTEND_CACHE_PURGE_URL: .* scheme, host"):
        frontend_caches(FRONTEND_CACHE_PURGE_URL=url)


def test_cloudflare_with_a_token_or_with_an_email_and_key():
    from cms.settings.environment import CLOUDFLARE

    assert frontend_caches(CLOUDFLARE_ZONE_ID=ZONE, CLOUDFLARE_API_TOKEN="t") == {
        "cloudflare": {"BACKEND": CLOUDFLARE, "ZONEID": ZONE, "BEARER_TOKEN": "t"}
    }
    assert frontend_caches(
        CLOUDFLARE_ZONE_ID=ZONE, CLOUDFLARE_EMAIL="ops@news.example", CLOUDFLARE_API_KEY="k"
    ) == {
        "cloudflare": {
            "BACKEND": CLOUDFLARE,
            "ZONEID": ZONE,
            "EMAIL": "ops@news.example",
            "API_KEY": "k",
        }
    }


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CLOUDFLARE_ZONE_ID": ZONE}, "CLOUDFLARE_ZONE_ID needs credentials"),
        (
            {"CLOUDFLARE_ZONE_ID": ZONE, "CLOUDFLARE_EMAIL": "ops@news.example"},
            "CLOUDFLARE_ZONE_ID needs credentials",
        ),
        (
            {"CLOUDFLARE_ZONE_ID": ZONE, "CLOUDFLARE_API_KEY": "k"},
            "CLOUDFLARE_ZONE_ID needs credentials",
        ),
        ({"CLOUDFLARE_API_TOKEN": "t"}, "without CLOUDFLARE_ZONE_ID"),
        (
            {"CLOUDFLARE_ZONE_ID": "news.example", "CLOUDFLARE_API_TOKEN": "t"},
            "CLOUDFLARE_ZONE_ID: 'news.example' is not a zone id",
        ),
        (
            {
                "CLOUDFLARE_ZONE_ID": ZONE,
                "CLOUDFLARE_API_TOKEN": "t",
                "CLOUDFLARE_EMAIL": "ops@news.example",
                "CLOUDFLARE_API_KEY": "k",
            },
            "either CLOUDFLARE_API_TOKEN or",
        ),
    ],
)
def test_half_a_cloudflare_configuration_stops_the_start(environ, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        frontend_caches(**environ)


def test_cloudfront_needs_boto3(monkeypatch):
    from cms.settings.environment import CLOUDFRONT

    with pytest.raises(ImproperlyConfigured, match=r"boto3 .* is not installed"):
        frontend_caches(monkeypatch, CLOUDFRONT_DISTRIBUTION_ID="E2QWRUHAPOMQZL")
    assert frontend_caches(
        monkeypatch, boto3=True, CLOUDFRONT_DISTRIBUTION_ID="E2QWRUHAPOMQZL"
    ) == {"cloudfront": {"BACKEND": CLOUDFRONT, "DISTRIBUTION_ID": "E2QWRUHAPOMQZL"}}
    with pytest.raises(ImproperlyConfigured, match="is not a distribution id"):
        frontend_caches(monkeypatch, boto3=True, CLOUDFRONT_DISTRIBUTION_ID="e2-qwr")


def test_several_caches_at_once():
    assert set(
        frontend_caches(
            FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:6081",
            CLOUDFLARE_ZONE_ID=ZONE,
            CLOUDFLARE_API_TOKEN="t",
        )
    ) == {"http", "cloudflare"}


def test_production_refuses_to_start_with_half_a_cdn_configuration():
    result = load_settings(
        "cms.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="news.example",
        CLOUDFLARE_ZONE_ID=ZONE,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: CLOUDFLARE_ZONE_ID needs credentials" in result.stderr


def test_production_reads_the_caches_to_purge_from_the_environment():
    caches = read_settings(
        "cms.settings.production",
        ["WAGTAILFRONTENDCACHE", "WAGTAILFRONTENDCACHE_LANGUAGES", "INSTALLED_APPS"],
        FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:6081",
    )
    assert caches["WAGTAILFRONTENDCACHE"] == {
        "http": {
            "BACKEND": "core.frontend_cache.HTTPPurgeBackend",
            "LOCATION": "http://127.0.0.1:6081",
        }
    }
    assert caches["WAGTAILFRONTENDCACHE_LANGUAGES"] == []
    assert "wagtail.contrib.frontend_cache" in caches["INSTALLED_APPS"]


def test_each_process_keeps_its_own_copies_only_over_a_shared_page_cache():
    names = ["UKIYO_PAGE_CACHE_LOCAL_ENTRIES"]
    assert read_settings("cms.settings.production", names)[names[0]] == 0
    shared = read_settings("cms.settings.production", names, CACHE_URL="redis://cache:6379/0")
    assert shared[names[0]] == 100
    chosen = read_settings("cms.settings.production", names, PAGE_CACHE_LOCAL_ENTRIES="20")
    assert chosen[names[0]] == 20


def test_deploy_check_warns_when_the_page_cache_is_per_process():
    assert "ukiyo.W003" in deploy_warnings()
    assert "ukiyo.W003" not in deploy_warnings(PAGE_CACHE_URL="redis://cache.internal:6379/1")
    # Without whole pages, the shared header, footer and banner are still kept there.
    assert "ukiyo.W003" in deploy_warnings(PAGE_CACHE="off")


def database_options(**environ):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(environ, DJANGO_SETTINGS_MODULE="cms.settings.dev")
    code = (
        "import json, django; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db
def test_postgresql_compiles_no_plan_with_jit():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_jit_is_asked_off_next_to_the_options_of_the_url_unless_postgres_jit_is_on():
    url = "postgres://ukiyo@db.internal/ukiyo"
    assert database_options(DATABASE_URL=url)["options"] == "-c jit=off"
    with_timeout = database_options(DATABASE_URL=f"{url}?options=-c%20statement_timeout%3D5000")
    assert with_timeout["options"] == "-c statement_timeout=5000 -c jit=off"
    assert "options" not in database_options(DATABASE_URL=url, POSTGRES_JIT="on")
    assert "options" not in database_options(DATABASE_URL="sqlite:///db.sqlite3")
