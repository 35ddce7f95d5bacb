"""Running queued background tasks in a test, as the worker would."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued(queue, backend="worker"):
    """Run the tasks of ``queue`` that are due, as ``db_worker --batch`` would; how many ran.

    The worker's own loop opens an exclusive transaction that SQLite refuses inside a
    test's transaction; claiming and running each task is the rest of that loop.
    """
    worker = Worker(
        queue_names=[queue],
        interval=0,
        batch=True,
        backend_name=backend,
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
    )
    ran = 0
    tasks = DBTaskResult.objects.ready().filter(backend_name=backend, queue_name=queue)
    while task := tasks.first():
        task.claim(worker.worker_id)
        worker.run_task(task)
        ran += 1
    return ran
