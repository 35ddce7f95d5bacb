"""PreviewSnapshot, which lived in the project package (cms 0004 renamed its table)."""

import uuid

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="preview", model="previewsnapshot").exists():
        ContentType.objects.filter(app_label="cms", model="previewsnapshot").update(
            app_label="preview"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="cms", model="previewsnapshot").exists():
        ContentType.objects.filter(app_label="preview", model="previewsnapshot").update(
            app_label="cms"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cms", "0004_move_models_to_their_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PreviewSnapshot",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        (
                            "content",
                            models.JSONField(
                                encoder=django.core.serializers.json.DjangoJSONEncoder,
                                verbose_name="content",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_index=True,
                                default=django.utils.timezone.now,
                                verbose_name="created at",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="created by",
                            ),
                        ),
                        (
                            "locale",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="wagtailcore.locale",
                                verbose_name="locale",
                            ),
                        ),
                        (
                            "page",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.WAGTAIL_PAGE_MODEL,
                                verbose_name="page",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "preview snapshot",
                        "verbose_name_plural": "preview snapshots",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
