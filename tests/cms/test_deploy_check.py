"""``manage.py check --deploy --fail-level WARNING`` passes on a correctly configured production.

Each run is a fresh process with only the environment an operator would set (nothing of the
test run's own), so that the production settings are read exactly as a server reads them.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What docs/configuration.md asks an operator behind one proxy, with Redis, to set.
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "k3Vq9-not-a-real-key-but-long-and-varied-enough-8fJ2xZ7pLm4RtY6uWb",
    "ALLOWED_HOSTS": "news.example",
    "CSRF_TRUSTED_ORIGINS": "https://news.example",
    "WAGTAILADMIN_BASE_URL": "https://news.example",
    "CACHE_URL": "redis://cache.internal:6379/0",
    "TRUSTED_PROXY_COUNT": "1",
}


def check_deploy(tmp_path, **environ):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **PRODUCTION}
    # A database of its own: the checks must not depend on (or touch) the test database.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}"
    env.update(environ)
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_correctly_configured_production_passes_the_deployment_checks(tmp_path):
    result = check_deploy(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output, output


def test_hsts_is_on_for_a_year_with_subdomains_and_preload_by_default(tmp_path):
    code = (
        "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)"
    )
    env = {"PATH": os.environ.get("PATH", ""), **PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True"]


def test_hsts_turned_off_is_reported(tmp_path):
    result = check_deploy(tmp_path, SECURE_HSTS_SECONDS="0")
    assert result.returncode == 1
    assert "security.W004" in result.stderr


def test_hsts_without_subdomains_or_preload_is_reported(tmp_path):
    result = check_deploy(
        tmp_path, SECURE_HSTS_INCLUDE_SUBDOMAINS="false", SECURE_HSTS_PRELOAD="false"
    )
    assert result.returncode == 1
    assert "security.W005" in result.stderr
    assert "security.W021" in result.stderr


def test_a_per_process_cache_is_still_reported(tmp_path):
    result = check_deploy(tmp_path, CACHE_URL=None)
    assert result.returncode == 1
    assert "ukiyo.W002" in result.stderr
