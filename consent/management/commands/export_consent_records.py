"""Write the consent log as CSV or JSON: all of it, one reader's (--consent-id), or recent."""

import csv
import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consent.cookie import valid_consent_id
from consent.models import ConsentRecord

FIELDS = ConsentRecord.EXPORT_FIELDS


def row(record):
    return {
        **{name: getattr(record, name) for name in FIELDS},
        "chosen_at": record.chosen_at.isoformat(),
        "site": record.site.hostname if record.site else "",
    }


class Command(BaseCommand):
    help = (
        "Print consent log records, oldest first, as CSV (default) or JSON: proof of a "
        "reader's consent (--consent-id, the id in their ukiyo_consent cookie) or an export."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--consent-id", help="Only this reader's records.")
        parser.add_argument("--days", type=int, help="Only records of the last N days.")

    def handle(self, *args, format, consent_id, days, **options):
        records = ConsentRecord.objects.select_related("site").order_by("chosen_at", "pk")
        if consent_id is not None:
            if not valid_consent_id(consent_id):
                raise CommandError("--consent-id is 32 lowercase hexadecimal digits.")
            records = records.filter(consent_id=consent_id)
        if days is not None:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            records = records.filter(chosen_at__gte=timezone.now() - timedelta(days=days))
        rows = (row(record) for record in records.iterator())
        if format == "json":
            json.dump(list(rows), self.stdout, ensure_ascii=False, indent=2)
            self.stdout.write("")
            return
        writer = csv.DictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for item in rows:
            writer.writerow({**item, "granted": " ".join(item["granted"])})
