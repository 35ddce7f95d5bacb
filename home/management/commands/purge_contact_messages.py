"""Delete contact messages older than the retention period the privacy policy states."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from home.models import ContactMessage


class Command(BaseCommand):
    help = (
        "Delete contact form messages sent more than --days days ago (default 730, the two "
        "years of the demo privacy policy). Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=730)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the messages, delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        old = ContactMessage.objects.filter(submitted_at__lt=timezone.now() - timedelta(days=days))
        if dry_run:
            self.stdout.write(f"{old.count()} contact messages are older than {days} days.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"Deleted {deleted} contact messages older than {days} days.")
