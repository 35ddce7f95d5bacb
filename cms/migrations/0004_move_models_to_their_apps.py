"""The project package's models move to the apps that own them: FooterLinks to core,
PreviewSnapshot to preview, ContentClock to changes.

The rows stay where they are: each table is renamed to its new app's name, and the models
leave this app's state; the new apps' first migrations take them into theirs (state only) and
move their content types, so permissions given to groups keep working.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_preview_snapshot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("footerlinks", "core_footerlinks"),
                migrations.AlterModelTable("previewsnapshot", "preview_previewsnapshot"),
                migrations.AlterModelTable("contentclock", "changes_contentclock"),
            ],
            state_operations=[
                migrations.DeleteModel("FooterLinks"),
                migrations.DeleteModel("PreviewSnapshot"),
                migrations.DeleteModel("ContentClock"),
            ],
        ),
    ]
