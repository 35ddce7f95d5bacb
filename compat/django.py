"""Django: one callback per transaction.

``transaction.on_commit`` runs a callback after the current transaction commits (and drops it
with a rollback), once per call. Django has no public way to ask whether a transaction already
holds a callback, so a receiver called for every row a transaction saves would schedule one
callback per row. The pending callbacks are in the connection's ``run_on_commit`` list of
``(savepoint ids, callback, robust)``, an undocumented attribute.

``scheduled_on_commit`` finds such a callback again, so that every row of a transaction can add
to one batch (the page cache's invalidation) that runs once after the commit.

Upstream: none; Django's documented API is ``on_commit`` alone.
"""

from django.db import transaction


def on_commit_once(callback, using, marker):
    """Schedule ``callback`` after the commit, unless the transaction holds a callback marked
    with the attribute ``marker`` already (outside a transaction, it runs at once, as
    ``on_commit`` does)."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(
        getattr(scheduled, marker, False)
        for _savepoints, scheduled, _robust in connection.run_on_commit
    ):
        return
    setattr(callback, marker, True)
    transaction.on_commit(callback, using=using)


def scheduled_on_commit(using, marker):
    """The callback marked with the attribute ``marker`` that the current transaction holds,
    or None (also outside a transaction): a receiver called for every row adds to it."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return None
    for _savepoints, scheduled, _robust in connection.run_on_commit:
        if getattr(scheduled, marker, False):
            return scheduled
    return None
