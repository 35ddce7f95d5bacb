"""The queue of webhook deliveries, and the attempts it runs.

Publishing saves the deliveries of a change in its own transaction and, once that has
committed, queues a task for each; the worker (``manage.py db_worker``) runs them, and an
attempt that fails for a passing reason queues the next one for later. The admin makes
some attempts at once, in its request: a test delivery and "Retry now". Who receives what,
and what an answer means, is decided in ``webhooks.delivery``, which knows nothing of the
queue.

The delivery rows are the outbox, the tasks only nudges: ``sweep`` queues a task again for
every pending delivery that is due and that no task will run (its task was never queued,
or its worker died during the attempt). The worker sweeps when it starts and then every
``UKIYO_WEBHOOK_SWEEP_INTERVAL`` seconds (``webhooks/management/commands/db_worker.py``).

Queued rows name the task by its import path, ``webhooks.tasks.deliver_webhook``: it must
not move while tasks may be waiting.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from . import transport
from .delivery import (
    claim,
    claim_lease,
    finish,
    new_deliveries,
    new_delivery,
    next_step,
    record_answer,
    save_outcome,
    signed_headers,
)
from .models import TEST_EVENT, WebhookDelivery

Status = WebhookDelivery.Status
logger = logging.getLogger(__name__)
# Deliveries a sweep looks at, at most: the next sweep takes the rest.
SWEEP_BATCH = 500


@task(backend="worker", queue_name="webhooks")
def deliver_webhook(delivery_id, attempts):
    """One attempt at a delivery, run by the worker (``manage.py db_worker``).

    ``attempts`` is how many attempts the delivery had when this task was queued: a task
    that finds a different number is a duplicate and does nothing.
    """
    attempt(delivery_id, attempts)


def enqueue(delivery, run_after=None):
    deliver = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    deliver.enqueue(str(delivery.pk), delivery.attempts)


def save_deliveries(change):
    """Save one delivery of ``change`` to every active webhook that wants it.

    Called in the transaction that records the change, so that the change and its
    deliveries are committed together or not at all; the tasks are queued after the
    commit (``queue_tasks``), and a sweep queues any that were not.
    """
    try:
        deliveries = new_deliveries(change)
    except Exception:
        # A payload that cannot be built must not turn the publish into an error page for
        # the editor: logged, as a failed on-commit callback would be.
        logger.exception("Could not build the webhook deliveries of change %s", change.pk)
        return []
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries)
    return deliveries


def queue_tasks(deliveries):
    for delivery in deliveries:
        enqueue(delivery)


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
        if save_outcome(delivery):
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


def sweep(now=None):
    """Queue a task again for each due delivery that no task will run; how many.

    Due: pending, and its time has come (a new delivery, a retry's time, or the end of
    the lease of a claimed attempt). No task will run it when none is waiting for it and
    no worker took one within the lease: the task was never queued (the queueing after
    the publish failed), was deleted, or died with its worker.

    Several workers may sweep at once: on PostgreSQL each locks the rows it looks at
    and skips those another holds, and the task it queues is committed with that lock,
    so the next sweep sees it. SQLite runs one transaction that writes at a time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .only("pk", "attempts")[:SWEEP_BATCH]
        )
        if not due:
            return 0
        waiting = waiting_tasks(due, now)
        lost = [row for row in due if (str(row.pk), row.attempts) not in waiting]
        for delivery in lost:
            enqueue(delivery)
    if lost:
        logger.info("Queued %d webhook deliveries again that no task would run.", len(lost))
    return len(lost)


def waiting_tasks(deliveries, now):
    """The ``(delivery id, attempts)`` of the queued tasks of ``deliveries`` that will run.

    Tasks waiting in the queue, and those a worker took within the lease (it may be about
    to claim its delivery).
    """
    tasks = DBTaskResult.objects.filter(
        backend_name=deliver_webhook.backend,
        task_path=deliver_webhook.module_path,
        args_kwargs__args__0__in=[str(delivery.pk) for delivery in deliveries],
    ).filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gt=now - claim_lease())
    )
    return {tuple(queued["args"]) for queued in tasks.values_list("args_kwargs", flat=True)}
