"""The queue of webhook deliveries, and the attempts it runs.

Publishing saves the deliveries of a change and queues a task for each; the worker
(``manage.py db_worker``) runs them, and an attempt that fails for a passing reason queues
the next one for later. The admin makes some attempts at once, in its request: a test
delivery and "Retry now". Who receives what, and what an answer means, is decided in
``webhooks.delivery``, which knows nothing of the queue.

Queued rows name the task by its import path, ``webhooks.tasks.deliver_webhook``: it must
not move while tasks may be waiting.
"""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import transport
from .delivery import (
    CLAIM_LEASE,
    claim,
    finish,
    new_deliveries,
    new_delivery,
    next_step,
    record_answer,
    signed_headers,
)
from .models import TEST_EVENT, WebhookDelivery

Status = WebhookDelivery.Status


@task(backend="webhooks", queue_name="webhooks")
def deliver_webhook(delivery_id, attempts):
    """One attempt at a delivery, run by the worker (``manage.py db_worker``).

    ``attempts`` is how many attempts the delivery had when this task was queued: a task
    that finds a different number is a duplicate and does nothing.
    """
    attempt(delivery_id, attempts)


def enqueue(delivery, run_after=None):
    deliver = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    deliver.enqueue(str(delivery.pk), delivery.attempts)


def queue_deliveries(change):
    """Save and queue one delivery of ``change`` to every active webhook that wants it."""
    deliveries = new_deliveries(change)
    if deliveries:
        # All or none: a delivery saved without its task is only sent once requeue_stale
        # finds it overdue.
        with transaction.atomic():
            WebhookDelivery.objects.bulk_create(deliveries)
            for delivery in deliveries:
                enqueue(delivery)
    return deliveries


def attempt(delivery_id, attempts):
    """Make the attempt that follows ``attempts`` earlier ones, if it is still due.

    Returns the delivery after the attempt, or None when there was nothing to do.
    """
    if not claim(delivery_id, attempts):
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.active and delivery.event != TEST_EVENT:
        finish(delivery, Status.FAILED, error="The webhook was deactivated before this attempt.")
        return delivery

    now = timezone.now()
    headers = signed_headers(delivery, webhook, now)
    response, error, duration_ms = transport.timed_post(
        webhook.url, delivery.body.encode(), headers
    )
    record_answer(delivery, now, response, error, duration_ms)
    status, retry_at = next_step(delivery, response, error, now)
    if retry_at is None:
        finish(delivery, status)
    else:
        schedule_retry(delivery, retry_at)
    return delivery


def schedule_retry(delivery, when):
    delivery.status = Status.PENDING
    delivery.next_attempt_at = when
    with transaction.atomic():
        delivery.save()
        enqueue(delivery, run_after=when)


def send_test(webhook):
    """Send a test delivery now, in this request; the delivery with its outcome."""
    delivery = new_delivery(webhook, TEST_EVENT)
    delivery.save()
    return attempt(delivery.pk, 0)


def retry_now(delivery):
    """Try a failed or given-up delivery once more, now; the delivery afterwards.

    A retry that fails again for a passing reason goes back to the back-off schedule
    until attempts run out.
    """
    reopened = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[Status.FAILED, Status.GIVEN_UP], attempts=delivery.attempts
    ).update(status=Status.PENDING, finished_at=None, next_attempt_at=timezone.now())
    if not reopened:
        return None
    return attempt(delivery.pk, delivery.attempts)


def requeue_stale(now=None):
    """Queue a task again for pending deliveries whose task seems lost; how many.

    A worker killed in the middle of an attempt, or a task queue emptied by hand, leaves
    a pending delivery nothing will pick up. The delivery row knows it is overdue.
    """
    now = now or timezone.now()
    stale = WebhookDelivery.objects.filter(
        status=Status.PENDING, next_attempt_at__lt=now - CLAIM_LEASE
    )
    count = 0
    for delivery in stale.only("pk", "attempts"):
        enqueue(delivery)
        count += 1
    return count
