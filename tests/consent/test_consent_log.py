"""The consent log: each choice kept server-side as proof, pseudonymous, purged, exported."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from consent import cookie
from consent.models import ConsentRecord

CHOICE_URL = "/en/cookie-settings/choice/"
SETTINGS_URL = "/{language}/cookie-settings/"
ADDRESS = "198.51.100.23"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) " + "Gecko/20100101 " * 30
ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def clear_cache():
    """The per-address limit counts in the cache: every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def banner_choice(client, value, **headers):
    headers = {
        "HTTP_ORIGIN": "http://testserver",
        "HTTP_SEC_FETCH_SITE": "same-origin",
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": AGENT,
        **headers,
    }
    return client.post(
        CHOICE_URL, json.dumps({"choice": value}), content_type="application/json", **headers
    )


def settings_choice(client, data, language="en"):
    return client.post(
        SETTINGS_URL.format(language=language), data, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT
    )


def stored_id(response):
    choice = cookie.parse(response.cookies[cookie.COOKIE_NAME].value)
    assert choice is not None
    return choice.consent_id


def test_a_banner_choice_makes_one_record_and_the_cookie_carries_its_id(client, consent_settings):
    value = "v=3&t=1764115200&analytics=1&marketing=0&functional=1"
    response = banner_choice(client, value)
    assert response.status_code == 204

    (record,) = ConsentRecord.objects.all()
    assert re.fullmatch(r"[0-9a-f]{32}", record.consent_id)
    assert stored_id(response) == record.consent_id
    assert response.cookies[cookie.COOKIE_NAME].value == f"{value}&id={record.consent_id}"
    assert record.choice == ConsentRecord.CUSTOM
    assert record.granted == ["analytics", "functional"]
    assert record.policy_version == 3
    assert record.source == ConsentRecord.BANNER
    assert record.language == "en"
    assert record.site == consent_settings.site
    assert abs(record.chosen_at - timezone.now()) < timedelta(minutes=5)
    # No address in clear: a keyed hash of its network, and a truncated user agent.
    stored = " ".join(str(value) for value in vars(record).values())
    assert ADDRESS not in stored and "198.51.100" not in stored
    assert re.fullmatch(r"[0-9a-f]{16}", record.address_hash)
    assert record.user_agent == AGENT[:200]


def test_the_same_reader_keeps_one_consent_id_across_choices(client, consent_settings):
    first = banner_choice(client, "v=3&t=1764115200&analytics=1&marketing=1&functional=1")
    consent_id = stored_id(first)
    # The banner's script keeps the id when the reader chooses again.
    banner_choice(client, f"v=3&t=1764115300&analytics=0&marketing=0&functional=0&id={consent_id}")
    # The Cookie Settings page reads it from the cookie.
    response = settings_choice(client, {"action": "save", "analytics": "1"})
    assert response.status_code == 303
    assert stored_id(response) == consent_id

    records = ConsentRecord.objects.order_by("chosen_at", "pk")
    assert [r.consent_id for r in records] == [consent_id] * 3
    assert [r.choice for r in records] == ["accept_all", "reject_all", "custom"]
    assert [r.source for r in records] == ["banner", "banner", "settings_page"]
    # The network is recognisable across a reader's records, not readable.
    assert len({r.address_hash for r in records}) == 1


@pytest.mark.parametrize(
    ("data", "kind", "granted"),
    [
        ({"action": "accept"}, "accept_all", ["analytics", "marketing", "functional"]),
        ({"action": "reject"}, "reject_all", []),
        ({"action": "save", "marketing": "1"}, "custom", ["marketing"]),
    ],
)
def test_each_answer_on_the_settings_page_is_logged(client, consent_settings, data, kind, granted):
    response = settings_choice(client, data, language="ja")
    assert response.status_code == 303
    (record,) = ConsentRecord.objects.all()
    assert (record.choice, record.granted, record.language) == (kind, granted, "ja")
    assert stored_id(response) == record.consent_id


def test_a_refused_choice_is_not_logged(client, consent_settings):
    assert banner_choice(client, "v=2&t=1&analytics=1&marketing=0&functional=1").status_code == 409
    assert settings_choice(client, {"action": "maybe"}).status_code == 400
    assert not ConsentRecord.objects.exists()


def test_a_failure_to_log_never_breaks_the_choice(client, consent_settings, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise DatabaseError("the log table is gone")

    monkeypatch.setattr(ConsentRecord.objects, "create", broken)
    response = banner_choice(client, "v=3&t=1764115200&analytics=1&marketing=0&functional=1")
    assert response.status_code == 204
    assert stored_id(response)  # the reader's choice holds
    response = settings_choice(client, {"action": "reject"})
    assert response.status_code == 303
    assert "could not be logged" in caplog.text


def record(days_ago, consent_id=ID, choice="accept_all"):
    return ConsentRecord.objects.create(
        consent_id=consent_id,
        chosen_at=timezone.now() - timedelta(days=days_ago),
        policy_version=3,
        choice=choice,
        granted=["analytics", "marketing", "functional"] if choice == "accept_all" else [],
        source=ConsentRecord.BANNER,
        language="en",
    )


def test_purge_deletes_only_records_older_than_the_retention(db, settings):
    settings.UKIYO_CONSENT_LOG_RETENTION_DAYS = 30
    old, kept = record(31), record(29)
    out = io.StringIO()
    call_command("purge_consent_records", "--dry-run", stdout=out)
    assert "1 consent records are older than 30 days" in out.getvalue()
    assert ConsentRecord.objects.count() == 2

    call_command("purge_consent_records", stdout=io.StringIO())
    assert list(ConsentRecord.objects.all()) == [kept]
    assert not ConsentRecord.objects.filter(pk=old.pk).exists()
    call_command("purge_consent_records", "--days", "10", stdout=io.StringIO())
    assert not ConsentRecord.objects.exists()


def test_export_prints_the_records_as_csv_and_json(db):
    record(3)
    record(2, choice="reject_all")
    record(1, consent_id="f" * 32)

    out = io.StringIO()
    call_command("export_consent_records", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["consent_id"], r["choice"]) for r in rows] == [
        (ID, "accept_all"),
        (ID, "reject_all"),
        ("f" * 32, "accept_all"),
    ]
    assert rows[0]["granted"] == "analytics marketing functional"

    out = io.StringIO()
    call_command("export_consent_records", "--format", "json", "--consent-id", ID, stdout=out)
    items = json.loads(out.getvalue())
    assert [item["choice"] for item in items] == ["accept_all", "reject_all"]
    assert items[1]["granted"] == [] and items[1]["policy_version"] == 3


# -- the admin ------------------------------------------------------------------------------

LOG_URL = "/admin/consent_records/"


def staff(permissions=(), username="staff"):
    user = get_user_model().objects.create_user(username=username, password="x-long-password-1")
    group = Group.objects.get(name="Editors")
    user.groups.add(group)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(user)
    return client


def test_the_log_is_shown_only_to_users_with_the_permission(home):
    record(1)
    editor = staff()
    assert editor.get(LOG_URL).status_code in (302, 403)
    assert LOG_URL not in editor.get("/admin/").content.decode()

    auditor = staff(["view_consentrecord"], username="auditor")
    assert LOG_URL in auditor.get("/admin/").content.decode()
    response = auditor.get(LOG_URL)
    assert response.status_code == 200
    assert ID in response.content.decode()
    export = auditor.get(LOG_URL + "?export=csv")
    assert export.status_code == 200
    assert ID in b"".join(export.streaming_content).decode()


def test_nobody_adds_edits_or_deletes_a_record_in_the_admin(editor):
    kept = record(1)
    for path in ("new/", f"edit/{kept.pk}/", f"delete/{kept.pk}/"):
        assert editor.get(LOG_URL + path).status_code == 404
        assert editor.post(LOG_URL + path, {}).status_code == 404
    assert ConsentRecord.objects.filter(pk=kept.pk).exists()
    assert editor.get(f"{LOG_URL}inspect/{kept.pk}/").status_code == 200


def test_one_address_cannot_fill_the_log(client, consent_settings, monkeypatch):
    monkeypatch.setattr("consent.log.RECORDS_PER_ADDRESS_PER_HOUR", 3)
    value = "v=3&t=1764115200&analytics=0&marketing=0&functional=0"
    for _ in range(5):
        assert banner_choice(client, value).status_code == 204
    assert ConsentRecord.objects.count() == 3
    # Another address is counted apart.
    assert banner_choice(Client(), value, REMOTE_ADDR="192.0.2.9").status_code == 204
    assert ConsentRecord.objects.count() == 4


def test_choices_are_still_logged_while_redis_is_out_of_reach(
    client, consent_settings, monkeypatch, redis_caches
):
    monkeypatch.setattr("consent.log.RECORDS_PER_ADDRESS_PER_HOUR", 1)
    value = "v=3&t=1764115200&analytics=0&marketing=0&functional=0"
    assert banner_choice(client, value).status_code == 204
    assert banner_choice(client, value).status_code == 204
    assert ConsentRecord.objects.count() == 1  # counted in Redis: the second is over

    redis_caches.stop()
    for _ in range(2):
        assert banner_choice(client, value).status_code == 204
    # Nothing can be counted: each choice is logged (a lost proof cannot be made up later).
    assert ConsentRecord.objects.count() == 3
