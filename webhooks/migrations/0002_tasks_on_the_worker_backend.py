"""The database task backend was called "webhooks" before it also ran other queues; it is
"worker" now. Tasks queued under the old name (waiting, running or finished) move to the new
one, so that workers started with ``--backend worker`` run them and ``prune_db_task_results``
finds them."""

from django.db import migrations


def rename(old, new):
    def move(apps, schema_editor):
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        DBTaskResult.objects.filter(backend_name=old).update(backend_name=new)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("django_tasks_database", "0019_rename_django_task_new_ordering_idx_tasks_db_new_ordering_idx_and_more"),
    ]

    operations = [
        migrations.RunPython(rename("webhooks", "worker"), rename("worker", "webhooks")),
    ]
