"""compat.django: one callback per transaction."""

import pytest
from django.db import connection, transaction

from compat.django import on_commit_once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_django_still_keeps_pending_callbacks_as_triples():
    with transaction.atomic():
        transaction.on_commit(lambda: None)
        (pending,) = connection.run_on_commit
        savepoints, callback, robust = pending
        assert isinstance(savepoints, set | list | tuple)
        assert callable(callback)
        assert isinstance(robust, bool)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_marked_callback_runs_once_per_transaction():
    calls = []
    with transaction.atomic():
        for _ in range(3):
            on_commit_once(lambda: calls.append(1), "default", marker="compat_test")
    assert calls == [1]
    with transaction.atomic():
        on_commit_once(lambda: calls.append(2), "default", marker="compat_test")
    assert calls == [1, 2]
