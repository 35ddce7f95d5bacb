"""From a content change to deliveries: who gets what, retries, giving up, the log."""

import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks_db.models import DBTaskResult

from webhooks import delivery, signing, tasks, transport
from webhooks.models import Webhook, WebhookDelivery

from .conftest import make_webhook, run_worker

Status = WebhookDelivery.Status
pytestmark = pytest.mark.django_db


def only_delivery():
    (found,) = WebhookDelivery.objects.all()
    return found


def queued_tasks():
    return list(DBTaskResult.objects.filter(backend_name="worker").order_by("enqueued_at"))


def test_a_change_is_queued_not_sent_then_the_worker_sends_it(receiver, webhook, record_change):
    change = record_change("page.published", locale="en")

    queued = only_delivery()
    assert queued.status == Status.PENDING
    assert queued.change == change
    assert receiver.requests == []  # the change was recorded without calling anyone
    (task,) = queued_tasks()
    assert task.args_kwargs["args"] == [str(queued.pk), 0]

    assert run_worker() == 1
    sent = only_delivery()
    assert sent.status == Status.SUCCEEDED
    assert sent.attempts == 1
    assert sent.response_status == 200
    (request,) = receiver.requests
    assert request["url"] == webhook.url
    body = json.loads(request["body"])
    assert body["id"] == str(sent.pk)
    assert body["event"] == "page.published"
    assert body["time"] == body["change"]["time"]
    assert parse_datetime(body["time"]) == change.created_at.replace(
        microsecond=change.created_at.microsecond // 1000 * 1000
    )
    # The change as the change feed serves it.
    assert body["change"]["id"] == change.pk
    assert body["change"]["cursor"] == str(change.pk)
    assert body["change"]["event"] == "page.published"
    assert body["change"]["locale"] == "en"
    assert body["change"]["type"] == "news.ArticlePage"
    assert body["change"]["object_id"] == 42
    assert body["change"]["title"] == "Moon landing"
    assert body["change"]["api_v2_url"] == "http://testserver/api/v2/pages/42/"
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("ukiyo-webhooks/")
    assert headers["X-Ukiyo-Delivery"] == str(sent.pk)
    assert headers["X-Ukiyo-Event"] == "page.published"
    assert signing.verify(
        webhook.secret, headers["X-Ukiyo-Signature"], request["body"], now=time.time()
    )


def test_webhooks_get_only_their_events_and_languages(receiver, record_change):
    everything = make_webhook(name="Everything")
    japanese_pages = make_webhook(
        name="Japanese pages", events=["page.published", "page.unpublished"], languages=["ja"]
    )
    snippets = make_webhook(name="Snippets", events=["snippet.saved"], languages=["en", "fr"])
    make_webhook(name="Switched off", active=False)

    record_change("page.published", locale="ja")
    record_change("page.published", locale="en")
    record_change("page.deleted", locale="ja")
    record_change("snippet.saved", locale="fr", object_type="news.Category")
    # A snippet without a language reaches every webhook that takes the event.
    record_change("snippet.saved", locale="", object_type="consent.Thing")

    def received(hook):
        deliveries = WebhookDelivery.objects.filter(webhook=hook).select_related("change")
        return sorted((d.event, d.change.locale) for d in deliveries)

    assert received(everything) == [
        ("page.deleted", "ja"),
        ("page.published", "en"),
        ("page.published", "ja"),
        ("snippet.saved", ""),
        ("snippet.saved", "fr"),
    ]
    assert received(japanese_pages) == [("page.published", "ja")]
    assert received(snippets) == [("snippet.saved", ""), ("snippet.saved", "fr")]
    assert WebhookDelivery.objects.count() == 8
    assert len(queued_tasks()) == 8


def test_no_webhook_no_delivery(receiver, record_change):
    record_change()
    assert not WebhookDelivery.objects.exists()
    assert queued_tasks() == []


def test_changes_readers_cannot_see_are_not_announced(receiver, webhook, record_change):
    """Like the public change feed: a page under a view restriction stays unmentioned."""
    record_change(data={"title": "Members only", "public": False})
    assert not WebhookDelivery.objects.exists()
    record_change(data={"title": "Open", "public": True})
    assert WebhookDelivery.objects.count() == 1


def test_a_rolled_back_change_sends_nothing(receiver, webhook, django_capture_on_commit_callbacks):
    from django.db import transaction

    from changes.models import ContentChange

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                ContentChange.objects.create(event="page.published", object_type="x", object_id=1)
                raise RuntimeError("the publish failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()


def test_failures_retry_on_the_back_off_schedule_then_give_up(receiver, webhook, settings):
    settings.UKIYO_WEBHOOK_MAX_ATTEMPTS = 4
    receiver.answer(503, transport.DeliveryError("ConnectionRefusedError", retry=True), 500, 502)
    pending = delivery.new_delivery(webhook, "page.published", payload={"id": 1})
    pending.save()

    waits = []
    for expected_attempts in range(3):
        before = timezone.now()
        result = tasks.attempt(pending.pk, expected_attempts)
        assert result.status == Status.PENDING
        assert result.attempts == expected_attempts + 1
        waits.append(round((result.next_attempt_at - before).total_seconds()))
        task = queued_tasks()[-1]
        # The retry is a queued task that waits in the database, not a timer in memory.
        assert task.run_after == result.next_attempt_at
        assert task.args_kwargs["args"] == [str(pending.pk), expected_attempts + 1]
    assert waits == [30, 120, 600]

    given_up = tasks.attempt(pending.pk, 3)
    assert given_up.status == Status.GIVEN_UP
    assert given_up.attempts == 4
    assert given_up.next_attempt_at is None
    assert given_up.response_status == 502
    assert [entry["status"] for entry in given_up.history] == [503, None, 500, 502]
    assert "ConnectionRefusedError" in given_up.history[1]["error"]
    assert len(receiver.requests) == 4
    # Every attempt sends the same body, under the same delivery id.
    assert len({request["body"] for request in receiver.requests}) == 1
    assert [r["headers"]["X-Ukiyo-Attempt"] for r in receiver.requests] == ["1", "2", "3", "4"]


def test_the_schedule_spreads_retries_and_keeps_its_last_step():
    class Fixed:
        def __init__(self, value):
            self.value = value

        def uniform(self, low, high):
            return low if self.value == "low" else high

    assert delivery.backoff_delay(1, Fixed("low")) == pytest.approx(24)
    assert delivery.backoff_delay(1, Fixed("high")) == pytest.approx(36)
    assert delivery.backoff_delay(5, Fixed("high")) == pytest.approx(6 * 3600 * 1.2)
    assert delivery.backoff_delay(9, Fixed("high")) == pytest.approx(6 * 3600 * 1.2)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 301, 302])
def test_a_refusal_or_a_redirect_fails_without_retry(receiver, webhook, status):
    receiver.answer(status)
    pending = delivery.new_delivery(webhook, "page.published", payload={"id": 1})
    pending.save()
    result = tasks.attempt(pending.pk, 0)
    assert result.status == Status.FAILED
    assert result.response_status == status
    assert result.next_attempt_at is None
    assert queued_tasks() == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [("120", 120), ("0", 5), ("999999", 6 * 3600), ("soon", 30)],
)
def test_retry_after_is_followed_within_bounds(receiver, webhook, header, expected):
    receiver.answer(transport.Response(status=429, headers={"retry-after": header}))
    pending = delivery.new_delivery(webhook, "page.published", payload={"id": 1})
    pending.save()
    before = timezone.now()
    result = tasks.attempt(pending.pk, 0)
    assert result.status == Status.PENDING
    assert round((result.next_attempt_at - before).total_seconds()) == expected


def test_retry_after_as_an_http_date():
    now = timezone.now().replace(microsecond=0)
    later = now + timedelta(minutes=10)
    header = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert delivery.retry_after_seconds(header, now) == pytest.approx(600)


def test_a_duplicate_or_late_task_sends_nothing(receiver, webhook):
    pending = delivery.new_delivery(webhook, "page.published", payload={"id": 1})
    pending.save()
    assert tasks.attempt(pending.pk, 0).status == Status.SUCCEEDED
    # The same task again (a requeue, a retry racing it): the row has moved on.
    assert tasks.attempt(pending.pk, 0) is None
    assert len(receiver.requests) == 1


def test_a_deactivated_webhook_is_not_called(receiver, webhook, record_change):
    record_change()
    Webhook.objects.update(active=False)
    run_worker()
    failed = only_delivery()
    assert failed.status == Status.FAILED
    assert "deactivated" in failed.error
    assert receiver.requests == []


def test_deleting_a_webhook_deletes_its_log_and_queued_tasks_do_nothing(
    receiver, webhook, record_change
):
    record_change()
    webhook.delete()
    assert run_worker() == 1
    assert receiver.requests == []


def test_lost_tasks_are_queued_again(receiver, webhook, record_change):
    record_change()
    DBTaskResult.objects.all().delete()  # the worker's queue lost the task
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    call_command("requeue_webhook_deliveries", verbosity=0)
    run_worker()
    assert only_delivery().status == Status.SUCCEEDED


def test_the_log_keeps_finished_deliveries_for_the_configured_days(receiver, webhook, settings):
    settings.UKIYO_WEBHOOK_LOG_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    for status in (Status.SUCCEEDED, Status.GIVEN_UP, Status.PENDING):
        stale = delivery.new_delivery(webhook, "page.published", payload=None, now=old)
        stale.status = status
        stale.save()
    recent = delivery.new_delivery(webhook, "page.published", payload=None)
    recent.save()
    # Finishing a delivery purges its webhook's old log entries.
    tasks.attempt(recent.pk, 0)
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == [
        Status.PENDING,  # still to be sent: never purged
        Status.SUCCEEDED,
    ]

    WebhookDelivery.objects.filter(pk=recent.pk).update(created_at=old)
    call_command("purge_webhook_deliveries", days=30, verbosity=0)
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == [Status.PENDING]
