"""ContentClock, which lived in the project package (cms 0004 renamed its table)."""

from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="changes", model="contentclock").exists():
        ContentType.objects.filter(app_label="cms", model="contentclock").update(
            app_label="changes"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="cms", model="contentclock").exists():
        ContentType.objects.filter(app_label="changes", model="contentclock").update(
            app_label="cms"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_purge"),
        ("cms", "0004_move_models_to_their_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentClock",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("changed_at", models.DateTimeField()),
                    ],
                    options={"verbose_name": "content clock"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
