"""Delete consent records older than the retention period (CONSENT_LOG_RETENTION_DAYS)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consent.models import ConsentRecord


class Command(BaseCommand):
    help = (
        "Delete consent log records older than --days days (default: "
        "CONSENT_LOG_RETENTION_DAYS). Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the records, delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days is None:
            days = settings.UKIYO_CONSENT_LOG_RETENTION_DAYS
        if days < 1:
            raise CommandError("--days must be at least 1.")
        old = ConsentRecord.objects.filter(chosen_at__lt=timezone.now() - timedelta(days=days))
        if dry_run:
            self.stdout.write(f"{old.count()} consent records are older than {days} days.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"Deleted {deleted} consent records older than {days} days.")
