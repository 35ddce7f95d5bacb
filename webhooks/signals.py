from functools import partial

from django.db import transaction

from .tasks import queue_deliveries


def content_changed(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    # After the commit: a rolled-back publish sends nothing, and the worker never looks
    # for a change it cannot see yet. ``robust``: the publish has happened, so a failure
    # to queue is logged (by Django), never turned into an error page for the editor.
    transaction.on_commit(partial(queue_deliveries, instance), robust=True)
