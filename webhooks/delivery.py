"""A delivery and its rules: who receives a change, what is sent, what counts, when to retry.

Nothing here queues or sends: ``webhooks.tasks`` does, by these rules, and the requests
are ``webhooks.transport``'s. Each attempt first claims its delivery with a conditional
UPDATE on ``(status, attempts)``: a duplicate task (a requeue, a "Retry now" racing a
scheduled retry) finds the row moved on and does nothing, without holding a lock during
the request. The claim is a lease (``UKIYO_WEBHOOK_CLAIM_LEASE``): the row's
``next_attempt_at`` is when it runs out, after which the worker's sweep takes the delivery
as lost with its worker and queues it again. An attempt writes its outcome only while its
claim still holds, so one that outlived its lease cannot undo the attempt that took over.
"""

import email.utils
import json
import random
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone

from . import signing
from .models import TEST_EVENT, Webhook, WebhookDelivery

Status = WebhookDelivery.Status

# Seconds before retry 1, 2, 3...; the last value repeats. Each is spread by ±20 % so that
# a receiver coming back up is not hit by every waiting delivery in the same second.
BACKOFF_SCHEDULE = [30, 120, 600, 3600, 6 * 3600]
JITTER = 0.2
# A receiver's Retry-After is followed, but never sooner or later than this.
RETRY_AFTER_BOUNDS = (5, 6 * 3600)
# Answers worth trying again: the receiver is overloaded, down or slow. Any other 4xx
# means it understood the request and refused it (bad signature, unknown path): the same
# bytes will be refused again, so retrying only adds load.
RETRY_STATUSES = {408, 425, 429}
HISTORY_LENGTH = 20


def user_agent():
    try:
        return f"ukiyo-webhooks/{version('ukiyo')}"
    except PackageNotFoundError:
        return "ukiyo-webhooks"


def change_payload(change):
    """The change as the change feed serves it, so a receiver parses one shape for both."""
    from changes.feed import render_item

    return json.loads(json.dumps(render_item(change), cls=DjangoJSONEncoder))


def is_public(change):
    # Like the public feed: a change to content anonymous readers cannot see (a page under
    # a view restriction) is not announced.
    return change.data.get("public", True) is not False


def request_body(delivery_id, event, time, change):
    # Times as the change feed writes them (ISO 8601, milliseconds, "Z").
    when = DjangoJSONEncoder().default(time)
    payload = {"id": str(delivery_id), "event": event, "time": when, "change": change}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def new_delivery(webhook, event, change=None, payload=None, now=None):
    """An unsaved delivery; its body's ``time`` is the change's (or now, for a test)."""
    now = now or timezone.now()
    delivery = WebhookDelivery(
        webhook=webhook, change=change, event=event, created_at=now, next_attempt_at=now
    )
    time = change.created_at if change is not None else now
    delivery.body = request_body(delivery.id, event, time, payload)
    return delivery


def new_deliveries(change):
    """Unsaved deliveries of ``change``: one to every active webhook that wants it."""
    if not is_public(change):
        return []
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(active=True)
        if webhook.wants(change.event, change.locale)
    ]
    if not webhooks:
        return []
    payload = change_payload(change)
    return [new_delivery(webhook, change.event, change, payload) for webhook in webhooks]


def backoff_delay(attempts_made, rng=random):
    """Seconds to wait after the ``attempts_made``-th attempt failed."""
    base = BACKOFF_SCHEDULE[min(attempts_made, len(BACKOFF_SCHEDULE)) - 1]
    return base * rng.uniform(1 - JITTER, 1 + JITTER)


def retry_after_seconds(value, now):
    """Seconds a ``Retry-After`` header asks for (delta or HTTP date), within bounds."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - now).total_seconds()
    low, high = RETRY_AFTER_BOUNDS
    return min(max(seconds, low), high)


def signed_headers(delivery, webhook, now):
    body = delivery.body.encode()
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": user_agent(),
        "X-Ukiyo-Delivery": str(delivery.pk),
        "X-Ukiyo-Event": delivery.event,
        "X-Ukiyo-Attempt": str(delivery.attempts),
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature_header(
            webhook.signing_secrets(now), timestamp, body
        ),
    }


# What an attempt writes once it has an outcome.
OUTCOME_FIELDS = [
    "status",
    "next_attempt_at",
    "finished_at",
    "response_status",
    "response_body",
    "error",
    "duration_ms",
    "history",
]


def claim_lease():
    """How long a claimed attempt may take before it counts as lost with its worker."""
    return timedelta(seconds=settings.UKIYO_WEBHOOK_CLAIM_LEASE)


def claim(delivery_id, attempts):
    """Take the attempt after ``attempts`` of a pending delivery; False if it moved on."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=Status.PENDING, attempts=attempts
        ).update(
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            next_attempt_at=now + claim_lease(),
        )
    )


def save_outcome(delivery):
    """Write the outcome of the attempt ``delivery.attempts``, if its claim still holds.

    False when another attempt took the delivery over in the meantime (this one
    outlived its lease): that attempt's outcome is the one the log keeps.
    """
    fields = {name: getattr(delivery, name) for name in OUTCOME_FIELDS}
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=Status.PENDING, attempts=delivery.attempts
        ).update(**fields)
    )


def record_answer(delivery, now, response, error, duration_ms):
    """Write the outcome of the attempt made at ``now`` on ``delivery`` and in its history.

    ``response`` is the receiver's answer, or None and ``error`` says why there was none.
    """
    delivery.duration_ms = duration_ms
    if response is not None:
        delivery.response_status = response.status
        delivery.response_body = response.body.decode("utf-8", errors="replace")
        delivery.error = ""
    else:
        delivery.response_status = None
        delivery.response_body = ""
        delivery.error = str(error)
    delivery.history = [
        *delivery.history,
        {
            "attempt": delivery.attempts,
            "time": now.isoformat(),
            "status": delivery.response_status,
            "error": delivery.error,
            "duration_ms": duration_ms,
        },
    ][-HISTORY_LENGTH:]


def next_step(delivery, response, error, now):
    """What follows the attempt made at ``now``: ``(status, when to try again)``.

    The time is None when the delivery is finished with that status; otherwise the
    status is PENDING and the next attempt is due then.
    """
    if response is not None and 200 <= response.status < 300:
        return Status.SUCCEEDED, None
    if not is_retryable(response, error):
        return Status.FAILED, None
    if delivery.event == TEST_EVENT:
        # A test answers "does it work now?": it is not tried again later.
        return Status.FAILED, None
    if delivery.attempts >= settings.UKIYO_WEBHOOK_MAX_ATTEMPTS:
        return Status.GIVEN_UP, None
    delay = None
    if response is not None:
        delay = retry_after_seconds(response.headers.get("retry-after"), now)
    if delay is None:
        delay = backoff_delay(delivery.attempts)
    return Status.PENDING, timezone.now() + timedelta(seconds=delay)


def is_retryable(response, error):
    if response is None:
        return error.retry
    return response.status in RETRY_STATUSES or response.status >= 500


def finish(delivery, status, error=None):
    delivery.status = status
    if error is not None:
        delivery.error = error
    delivery.next_attempt_at = None
    delivery.finished_at = timezone.now()
    if save_outcome(delivery):
        purge_log(webhook_id=delivery.webhook_id)


def purge_log(webhook_id=None, days=None):
    """Delete finished deliveries older than the log keeps them; how many went.

    Called after each finished delivery (for its webhook), so the log stays bounded
    without a scheduled job; the purge_webhook_deliveries command does the same at once.
    """
    days = settings.UKIYO_WEBHOOK_LOG_DAYS if days is None else days
    old = WebhookDelivery.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=days)
    ).exclude(status=Status.PENDING)
    if webhook_id is not None:
        old = old.filter(webhook_id=webhook_id)
    deleted, _ = old.delete()
    return deleted
