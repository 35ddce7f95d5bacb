"""compat.django: one callback per transaction."""

import pytest
from django.db import connection, transaction

from compat.django import on_commit_once, scheduled_on_commit


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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scheduled_callback_is_found_and_gone_after_the_commit():
    class Batch(list):
        def __call__(self):
            calls.extend(self)

    calls = []
    assert scheduled_on_commit("default", "compat_batch") is None
    with transaction.atomic():
        assert scheduled_on_commit("default", "compat_batch") is None
        batch = Batch()
        on_commit_once(batch, "default", marker="compat_batch")
        scheduled_on_commit("default", "compat_batch").append("a")
        scheduled_on_commit("default", "compat_batch").append("b")
    assert calls == ["a", "b"]
    with transaction.atomic():
        assert scheduled_on_commit("default", "compat_batch") is None
