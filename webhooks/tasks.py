from django_tasks import task

from . import delivery


@task(backend="webhooks", queue_name="webhooks")
def deliver_webhook(delivery_id, attempts):
    """One attempt at a delivery, run by the worker (``manage.py db_worker``).

    ``attempts`` is how many attempts the delivery had when this task was queued: a task
    that finds a different number is a duplicate and does nothing.
    """
    delivery.attempt(delivery_id, attempts)
