"""Deliveries are an outbox: the worker sends what a dead worker or a failed queueing left.

A delivery row is saved with its change; its task only says "look now". The worker
(``manage.py db_worker --backend worker --queue-name '*'``) sweeps for due
deliveries that no task will run, when it starts and then at an interval.
"""

import logging
import signal
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker as upstream_worker
from django_tasks_db.models import DBTaskResult

from webhooks import delivery, tasks
from webhooks.management.commands import db_worker
from webhooks.models import WebhookDelivery

from .conftest import make_webhook

Status = WebhookDelivery.Status


@pytest.fixture
def start_worker(monkeypatch):
    """Start ``db_worker`` as documented, in batch mode: it runs what is due, then stops."""
    # Between tasks the worker closes connections that are not in autocommit, as the
    # test's is (it holds the test's transaction).
    monkeypatch.setattr(upstream_worker, "close_old_connections", lambda: None)
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    handlers = {number: signal.getsignal(number) for number in signals}
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]

    def start():
        call_command(
            "db_worker",
            "--backend=worker",
            "--queue-name=webhooks",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            verbosity=0,
        )

    yield start
    # The worker takes over the signals and its loggers' levels, for its process.
    for number, handler in handlers.items():
        signal.signal(number, handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def webhook_tasks(**filters):
    return DBTaskResult.objects.filter(backend_name="worker", **filters)


def die_during_attempt(lease_expired):
    """A worker takes the task of the only delivery, claims it, and is killed."""
    task = webhook_tasks(status=TaskResultStatus.READY).get()
    task.claim("killed-worker")
    pending = WebhookDelivery.objects.get()
    assert delivery.claim(pending.pk, pending.attempts)
    if lease_expired:
        # The clock moves on past the lease.
        lease = delivery.claim_lease() + timedelta(seconds=1)
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        webhook_tasks().update(started_at=timezone.now() - lease)


@pytest.mark.django_db
def test_a_delivery_lost_with_its_worker_is_sent_by_the_next_worker_once(
    receiver, webhook, record_change, start_worker
):
    record_change()
    die_during_attempt(lease_expired=True)

    start_worker()
    sent = WebhookDelivery.objects.get()
    assert sent.status == Status.SUCCEEDED
    assert sent.attempts == 2  # the lost attempt counts
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["headers"]["X-Ukiyo-Attempt"] == "2"

    # Another worker starting later finds nothing left to send.
    start_worker()
    assert len(receiver.requests) == 1
    assert tasks.sweep() == 0


@pytest.mark.django_db
def test_a_delivery_whose_task_was_never_queued_is_sent_by_the_sweep(
    receiver, webhook, record_change, start_worker, monkeypatch
):
    def broken_queue(*args, **kwargs):
        raise ConnectionError("the task queue is away")

    with monkeypatch.context() as patched:
        patched.setattr(tasks, "enqueue", broken_queue)
        change = record_change()  # the publish itself goes through

    pending = WebhookDelivery.objects.get()
    assert pending.change == change
    assert pending.status == Status.PENDING
    assert not webhook_tasks().exists()

    start_worker()
    assert WebhookDelivery.objects.get().status == Status.SUCCEEDED
    assert len(receiver.requests) == 1
    start_worker()
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_live_claim_is_not_taken_over(receiver, webhook, record_change, start_worker):
    record_change()
    die_during_attempt(lease_expired=False)  # or still sending: the lease has not run out

    assert tasks.sweep() == 0
    start_worker()
    assert receiver.requests == []
    claimed = WebhookDelivery.objects.get()
    assert claimed.status == Status.PENDING
    assert claimed.attempts == 1


@pytest.mark.django_db
def test_a_delivery_waiting_for_a_busy_worker_is_not_queued_twice(receiver, webhook, record_change):
    record_change()
    # Due, but its task waits behind others.
    assert tasks.sweep() == 0
    # A worker has just taken the task and not yet claimed the delivery.
    webhook_tasks().get().claim("busy-worker")
    assert tasks.sweep() == 0
    assert webhook_tasks().count() == 1


@pytest.mark.django_db
def test_an_attempt_that_outlived_its_lease_does_not_undo_the_one_that_took_over(
    receiver, webhook, monkeypatch
):
    pending = delivery.new_delivery(webhook, "page.published", payload={"id": 1})
    pending.save()
    answers = []

    def slow_receiver(url, body, headers, *, timeout=None):
        answers.append(headers["X-Ukiyo-Attempt"])
        if len(answers) == 1:
            # The first attempt hangs past its lease; meanwhile the sweep hands the
            # delivery to another worker, which sends it.
            WebhookDelivery.objects.update(next_attempt_at=timezone.now())
            assert tasks.sweep() == 1
            task = webhook_tasks(status=TaskResultStatus.READY).get()
            task.claim("other-worker")
            tasks.attempt(*task.args_kwargs["args"])
            return tasks.transport.Response(status=503, body=b"late")
        return tasks.transport.Response(status=200, body=b"ok")

    monkeypatch.setattr(tasks.transport, "post", slow_receiver)
    tasks.attempt(pending.pk, 0)

    assert answers == ["1", "2"]
    final = WebhookDelivery.objects.get()
    assert final.status == Status.SUCCEEDED
    assert final.attempts == 2
    assert [entry["status"] for entry in final.history] == [200]
    # The late failure queued no retry.
    assert not webhook_tasks(status=TaskResultStatus.READY).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_sweeping_at_once_queue_a_lost_delivery_once():
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite runs one writing transaction at a time")
    webhook = make_webhook()
    lost = delivery.new_delivery(webhook, "page.published", payload={"id": 1})
    lost.save()  # no task: its queueing failed
    results = []

    def other_worker():
        try:
            results.append(tasks.sweep())
        finally:
            connection.close()

    with transaction.atomic():
        assert tasks.sweep() == 1
        # Another worker sweeps while this one has not committed yet.
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join()
    assert results == [0]
    assert tasks.sweep() == 0
    assert webhook_tasks().count() == 1


def test_the_worker_sweeps_at_each_interval_until_it_stops(monkeypatch):
    sweeps = []
    monkeypatch.setattr(db_worker, "sweep", lambda: sweeps.append("swept"))
    # The loop closes its thread's connections after each sweep; with health checks on, that
    # asks the database, which this test (no database) does not reach.
    closed = []
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: closed.append("old"))
    monkeypatch.setattr(db_worker.connections, "close_all", lambda: closed.append("all"))

    class Clock:
        """Stands for the stop event: two intervals pass, then the worker stops."""

        waits = 0

        def wait(self, seconds):
            assert seconds == 30
            self.waits += 1
            return self.waits > 2

    db_worker.sweep_every(30, Clock())
    assert sweeps == ["swept", "swept"]
    assert closed == ["old", "all", "old", "all"]
