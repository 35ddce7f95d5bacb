"""Delete the preview states (preview.PreviewSnapshot) whose tokens have expired."""

from django.core.management.base import BaseCommand

from preview.tokens import purge_expired_snapshots


class Command(BaseCommand):
    help = (
        "Delete the stored preview states no preview token can reach any more (older than "
        "UKIYO_PREVIEW_TOKEN_MAX_AGE). Each new preview does it too; run this from cron on "
        "sites that go long without one."
    )

    def handle(self, *args, **options):
        deleted = purge_expired_snapshots()
        self.stdout.write(f"Deleted {deleted} expired preview snapshot(s).")
