"""Delete the change feed's oldest changes, and remember up to where (``changes.Purge``)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from changes.models import ContentChange, Purge

# Rows deleted per statement: deletion signals load the rows, so memory stays bounded.
BATCH = 1000


class Command(BaseCommand):
    help = (
        "Delete content changes recorded more than --days days ago (default "
        "UKIYO_CHANGES_RETENTION_DAYS). A feed cursor from before them then answers 410 Gone: "
        "its client must sync everything again. Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.UKIYO_CHANGES_RETENTION_DAYS)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the changes, delete nothing."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        old = ContentChange.objects.filter(created_at__lt=cutoff)
        # Everything up to the newest old change goes, so that the feed's rule is one
        # number: a cursor below it has missed something.
        through_id = old.aggregate(last=Max("id"))["last"]
        if through_id is None:
            self.stdout.write(f"No content changes are older than {days} days.")
            return
        doomed = ContentChange.objects.filter(id__lte=through_id)
        if dry_run:
            self.stdout.write(f"{doomed.count()} content changes are older than {days} days.")
            return
        newest = doomed.aggregate(last=Max("created_at"))["last"]
        deleted = 0
        with transaction.atomic():
            # Recorded first: a feed reader never sees the rows gone without the mark.
            Purge.objects.create(through_id=through_id, before=newest)
            while ids := list(doomed.order_by("id").values_list("id", flat=True)[:BATCH]):
                deleted += (
                    ContentChange.objects.filter(id__in=ids)
                    .delete()[1]
                    .get(ContentChange._meta.label, 0)
                )
        self.stdout.write(f"Deleted {deleted} content changes older than {days} days.")
