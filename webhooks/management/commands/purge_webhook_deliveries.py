from django.conf import settings
from django.core.management.base import BaseCommand

from webhooks.delivery import purge_log


class Command(BaseCommand):
    help = "Delete finished webhook deliveries older than the delivery log keeps them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.UKIYO_WEBHOOK_LOG_DAYS,
            help="Keep this many days (default: UKIYO_WEBHOOK_LOG_DAYS, %(default)s).",
        )

    def handle(self, *, days, verbosity, **options):
        deleted = purge_log(days=days)
        if verbosity:
            self.stdout.write(f"Deleted {deleted} webhook deliveries older than {days} days.")
