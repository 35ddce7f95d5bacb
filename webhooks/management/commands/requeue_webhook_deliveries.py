from django.core.management.base import BaseCommand

from webhooks.tasks import sweep


class Command(BaseCommand):
    help = (
        "Queue again the due webhook deliveries that no task will run (a worker killed "
        "during an attempt, a task never queued). The worker does this by itself; this "
        "is the same sweep at once, safe at any time."
    )

    def handle(self, *, verbosity, **options):
        count = sweep()
        if verbosity:
            self.stdout.write(f"Queued {count} overdue webhook deliveries again.")
