from django.core.management.base import BaseCommand

from webhooks.tasks import requeue_stale


class Command(BaseCommand):
    help = (
        "Queue again the pending webhook deliveries whose task was lost (a worker killed "
        "during an attempt). Safe to run at any time, e.g. when the worker starts."
    )

    def handle(self, *, verbosity, **options):
        count = requeue_stale()
        if verbosity:
            self.stdout.write(f"Queued {count} overdue webhook deliveries again.")
