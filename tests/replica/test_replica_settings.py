"""The read replica's settings: read from DATABASE_REPLICA_URL like the primary's, refused when
they cannot work, and without them one database, as before."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text

from core import databases

ROOT = Path(__file__).resolve().parents[2]
PRIMARY_URL = "postgres://ukiyo:primary-secret@db.internal:5432/ukiyo"
NAMES = [
    "DATABASES",
    "DATABASE_ROUTERS",
    "UKIYO_REPLICA_STICKY_SECONDS",
    "UKIYO_REPLICA_RETRY_SECONDS",
]


def load(module, **environ):
    """``NAMES`` of the settings ``module`` under ``environ``, loaded by a fresh process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CONN_", "POSTGRES_", "DISABLE_", "DJANGO_"))
    }
    env.update(SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example", **environ)
    env["DJANGO_SETTINGS_MODULE"] = module
    code = (
        "import json, sys; from django.conf import settings; "
        "print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *NAMES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(module, **environ):
    result = load(module, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_replica_url_there_is_one_database():
    loaded = settings_of("cms.settings.production", DATABASE_URL=PRIMARY_URL)

    assert list(loaded["DATABASES"]) == ["default"]
    # The router is always there; without a replica it answers nothing (below).
    assert loaded["DATABASE_ROUTERS"] == ["core.databases.ReplicaRouter"]


def test_the_replica_is_configured_from_its_url_as_the_primary_is():
    loaded = settings_of(
        "cms.settings.production",
        DATABASE_URL=PRIMARY_URL,
        DATABASE_REPLICA_URL="postgres://reader:replica-secret@replica.internal:5433/ukiyo"
        "?sslmode=require",
        DISABLE_SERVER_SIDE_CURSORS="true",
        DATABASE_REPLICA_STICKY_SECONDS="30",
        DATABASE_REPLICA_RETRY_SECONDS="5",
    )

    primary, replica = loaded["DATABASES"]["default"], loaded["DATABASES"]["replica"]
    assert replica["ENGINE"] == "django.db.backends.postgresql"
    assert (replica["HOST"], replica["PORT"]) == ("replica.internal", 5433)
    assert (replica["NAME"], replica["USER"], replica["PASSWORD"]) == (
        "ukiyo",
        "reader",
        "replica-secret",
    )
    assert replica["OPTIONS"] == {
        "sslmode": "require",
        "connect_timeout": 3,
        "options": "-c jit=off",
    }
    assert replica["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"] == 60
    assert replica["CONN_HEALTH_CHECKS"] is True
    assert replica["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert replica["TEST"] == {"MIRROR": "default"}
    assert (loaded["UKIYO_REPLICA_STICKY_SECONDS"], loaded["UKIYO_REPLICA_RETRY_SECONDS"]) == (
        30,
        5,
    )


def test_a_connect_timeout_in_the_url_wins():
    loaded = settings_of(
        "cms.settings.dev",
        DATABASE_URL=PRIMARY_URL,
        DATABASE_REPLICA_URL="postgres://reader@replica.internal/ukiyo?connect_timeout=10",
    )

    assert loaded["DATABASES"]["replica"]["OPTIONS"]["connect_timeout"] == 10
    assert loaded["DATABASES"]["replica"]["CONN_MAX_AGE"] == 0  # CONN_MAX_AGE's default


@pytest.mark.parametrize(
    ("primary", "replica", "message"),
    [
        (None, "postgres://reader@replica.internal/ukiyo", "DATABASE_URL must name the primary"),
        (PRIMARY_URL, "sqlite:///replica.sqlite3", "must name a PostgreSQL server"),
        (PRIMARY_URL, "mysql://reader@replica.internal/ukiyo", "must name a PostgreSQL server"),
        (PRIMARY_URL, "replica.internal:5432", "is not a database URL"),
        (PRIMARY_URL, "postgres://reader:replica-secret@replica:port/x", "is not a database URL"),
    ],
)
def test_a_replica_that_cannot_work_stops_the_start(primary, replica, message):
    environ = {"DATABASE_REPLICA_URL": replica}
    if primary:
        environ["DATABASE_URL"] = primary
    result = load("cms.settings.production", **environ)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "replica-secret" not in result.stderr


def test_the_test_suite_never_reads_a_replica_from_the_environment():
    loaded = settings_of(
        "cms.settings.test",
        DATABASE_URL=PRIMARY_URL,
        DATABASE_REPLICA_URL="postgres://reader@replica.internal/ukiyo",
    )

    assert list(loaded["DATABASES"]) == ["default"]


def test_without_a_replica_the_router_answers_nothing(db):
    router = databases.ReplicaRouter()

    with databases.routing(databases.Reads(allowed=True)):
        assert router.db_for_read(Page) is None
        assert router.db_for_write(Page) is None
        assert router.allow_relation(Page(), Page()) is None
    assert router.allow_migrate("default", "wagtailcore") is None


def test_without_a_replica_a_publication_marks_no_browser(editor, index):
    form = nested_form_data(
        {
            "title": "Every article",
            "slug": index.slug,
            "intro": rich_text("<p>All of them.</p>"),
            "action-publish": "publish",
        }
    )
    published = editor.post(reverse("wagtailadmin_pages:edit", args=[index.pk]), form)

    assert published.status_code == 302
    assert databases.STICKY_COOKIE not in published.cookies
