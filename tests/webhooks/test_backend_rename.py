"""Tasks queued under the backend's old name, ``webhooks``, run under its new one,
``worker``, after the migration that renamed it (webhooks 0002)."""

import importlib

import pytest
from django.apps import apps
from django_tasks_db.models import DBTaskResult

from changes.models import ContentChange
from tests.tasks import run_queued
from webhooks.models import WebhookDelivery
from webhooks.tasks import deliver_webhook

pytestmark = pytest.mark.django_db

migration = importlib.import_module("webhooks.migrations.0002_tasks_on_the_worker_backend")


def test_a_delivery_queued_under_the_old_name_is_sent_after_the_migration(
    receiver, webhook, record_change
):
    record_change()
    [delivery] = WebhookDelivery.objects.all()
    [task] = DBTaskResult.objects.filter(task_path=deliver_webhook.module_path)
    DBTaskResult.objects.filter(pk=task.pk).update(backend_name="webhooks")
    assert run_queued("webhooks") == 0  # workers of the new backend do not see it

    migration.rename("webhooks", "worker")(apps, None)

    assert run_queued("webhooks") == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1
    assert ContentChange.objects.count() == 1
