"""django-tasks-db's worker, which also sweeps the webhook outbox when it serves its queue,
and waits out a database outage.

Same name, options and behaviour as ``django_tasks_db``'s ``db_worker`` (this app comes
before it in ``INSTALLED_APPS``, so this command is the one ``manage.py`` runs): a worker
started as documented, ``db_worker --backend worker --queue-name '*'``, also queues
again the deliveries no task will run (``webhooks.tasks.sweep``), when it starts and then
every ``UKIYO_WEBHOOK_SWEEP_INTERVAL`` seconds from a thread of its own, so a delivery lost
with a killed worker, or never queued, goes out without an operator.

Two differences from django-tasks-db's worker, both for operations (docs/deployment.md,
"Operations"):

- ``SIGTERM`` (or ``SIGINT``) asks the loop to stop: the worker ends after the task in hand,
  or after the poll or the pause (``--interval``) it is in. django-tasks-db's worker raised
  ``SystemExit`` from the signal handler when no task was running, wherever the worker was:
  in the middle of a query, which psycopg then cancelled, and the rollback that followed
  could fail on the busy connection and end the worker with that error instead. A second
  signal still stops it at once.
- When the database cannot be reached (a restart, a failover), the worker logs a warning and
  polls again a moment later, instead of stopping with an error; a task that was running
  then is sent again by the sweep, once its lease has run out.
"""

import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from core.health import database_unavailable
from webhooks.tasks import deliver_webhook, sweep

logger = logging.getLogger(__name__)


class Worker(db_worker.Worker):
    """django-tasks-db's worker, stopped by its loop rather than from its signal handler."""

    def shutdown(self, signum, frame):
        if not self.running:
            # The second signal: stop now, the task in hand with it.
            return super().shutdown(signum, frame)
        logger.warning(
            "Received %s: stopping after the task in hand (again to stop at once)",
            signal.strsignal(signum),
        )
        self.running = False
        return None


class Command(db_worker.Command):
    help = (
        "Run a database background worker. On the webhooks queue, it also queues again "
        "the deliveries that no task will run."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        **options,
    ):
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

        # As django-tasks-db's command does, with the worker above.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together: no reloading.")
            reload = False
        # Once per outage of the database: a new worker, with the same id (--max-tasks then
        # counts again from 0).
        while True:
            worker = Worker(
                queue_names=queues,
                interval=interval,
                batch=batch,
                backend_name=backend_name,
                startup_delay=startup_delay,
                max_tasks=max_tasks,
                worker_id=worker_id,
            )
            if reload:
                if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                    worker.configure_signals()
                run_with_reloader(worker.run)
                return
            worker.configure_signals()
            try:
                worker.run()
                return
            except Exception as error:
                if not database_unavailable(error):
                    raise
                if not wait_out_outage(worker, error, max(interval, MIN_OUTAGE_WAIT)):
                    return


# Seconds between two attempts to reach the database after it went away (or the worker's
# --interval, if longer): a warning is logged each time.
MIN_OUTAGE_WAIT = 2


def wait_out_outage(worker, error, seconds):
    """Wait ``seconds`` after ``error``; False when the worker was told to stop meanwhile."""
    summary = f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"
    connections.close_all()
    if not worker.running:
        logger.warning("The database is unavailable (%s); stopping as asked", summary)
        return False
    logger.warning("The database is unavailable (%s); polling again in %s s", summary, seconds)
    deadline = time.monotonic() + seconds
    while worker.running and time.monotonic() < deadline:
        time.sleep(0.1)
    return worker.running


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
