from django.db import transaction

from .tasks import queue_tasks, save_deliveries


def content_changed(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    # The deliveries are saved with the change, in its transaction: a rolled-back publish
    # sends nothing, and a committed one has its deliveries whatever happens next. Their
    # tasks are queued after the commit, so the worker never looks for a row it cannot see
    # yet; if that fails (``robust``: logged, never an error page for the editor), or the
    # process dies first, the worker's sweep queues them.
    deliveries = save_deliveries(instance)
    if deliveries:
        # A function, not functools.partial: Django names a failed robust callback by its
        # __qualname__, which a partial lacks (the logging would raise AttributeError).
        def queue_webhook_tasks():
            queue_tasks(deliveries)

        transaction.on_commit(queue_webhook_tasks, robust=True)
