"""django-tasks-db's worker, which also sweeps the webhook outbox when it serves its queue,
and waits out a database outage.

Same name, options and behaviour as ``django_tasks_db``'s ``db_worker`` (this app comes
before it in ``INSTALLED_APPS``, so this command is the one ``manage.py`` runs): a worker
started as documented, ``db_worker --backend webhooks --queue-name webhooks``, also queues
again the deliveries no task will run (``webhooks.tasks.sweep``), when it starts and then
every ``UKIYO_WEBHOOK_SWEEP_INTERVAL`` seconds from a thread of its own, so a delivery lost
with a killed worker, or never queued, goes out without an operator.

django-tasks-db's worker stops with an error when the database cannot be reached (a restart,
a failover). This one logs a warning and starts polling again a moment later, so that the
deliveries go on without an operator once the database is back; a task that was running
then is sent again by the sweep, once its lease has run out. ``SIGTERM`` still stops it, at
once while it waits.
"""

import logging
import os
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from core.health import database_unavailable
from webhooks.tasks import deliver_webhook, sweep

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = (
        "Run a database background worker. On the webhooks queue, it also queues again "
        "the deliveries that no task will run."
    )

    def handle(self, *, backend_name, queue_name, batch, reload, **options):
        queues = queue_name.split(",")
        serves_webhooks = backend_name == deliver_webhook.backend and (
            "*" in queues or deliver_webhook.queue_name in queues
        )
        # With --reload, this process only restarts a child that runs the worker.
        is_worker = not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if serves_webhooks and is_worker:
            sweep_once()
            if not batch:
                stop = threading.Event()
                threading.Thread(
                    target=sweep_every,
                    args=(settings.UKIYO_WEBHOOK_SWEEP_INTERVAL, stop),
                    name="webhook-sweep",
                    daemon=True,
                ).start()
        while True:
            try:
                return super().handle(
                    backend_name=backend_name,
                    queue_name=queue_name,
                    batch=batch,
                    reload=reload,
                    **options,
                )
            except Exception as error:
                if not database_unavailable(error):
                    raise
                wait = max(options.get("interval") or 0, MIN_OUTAGE_WAIT)
                logger.warning(
                    "The database is unavailable (%s: %s); polling again in %s s",
                    type(error).__name__,
                    (str(error).strip().splitlines() or [""])[0],
                    wait,
                )
                connections.close_all()
                time.sleep(wait)


# Seconds between two attempts to reach the database after it went away (or the worker's
# --interval, if longer): a warning is logged each time.
MIN_OUTAGE_WAIT = 2


def sweep_once():
    try:
        return sweep()
    except Exception:
        # A database that is away for a moment: the next sweep tries again.
        logger.exception("Sweeping the webhook deliveries failed")
        return None


def sweep_every(seconds, stop):
    """Sweep every ``seconds`` until ``stop`` is set (the thread dies with the worker)."""
    while not stop.wait(seconds):
        sweep_once()
        # This thread's own connection: not kept open between sweeps.
        close_old_connections()
        connections.close_all()
