import time

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import get_page_models

from core import counts, pagecache
from core.fulltext import store


class Command(BaseCommand):
    help = (
        "Write every page into the full-text search index (core.fulltext), in chunks, with "
        "progress; then take out what no longer exists. Readers' searches keep working "
        "meanwhile. (update_index does this too, with Wagtail's own index.)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=500,
            help="Pages read and written at a time (default: 500).",
        )

    def handle(self, *args, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be 1 or more.")
        start = time.monotonic()
        written = 0
        for model in get_page_models():
            if not model.get_search_fields():
                continue
            pages = model.objects.exact_type(model).order_by("pk")
            total = pages.count()
            if not total:
                continue
            done = 0
            last_pk = 0
            while True:
                chunk = list(pages.filter(pk__gt=last_pk)[:chunk_size])
                if not chunk:
                    break
                store.add(chunk)
                last_pk = chunk[-1].pk
                done += len(chunk)
                self.stdout.write(
                    f"\r{model._meta.label}: {done:,}/{total:,} "
                    f"({100 * done // total} %) {time.monotonic() - start:.0f} s",
                    ending="",
                )
                self.stdout.flush()
            self.stdout.write("")
            written += done
        store.remove_stale()
        # Searches kept meanwhile (their pages, their counts) may have read a half-written
        # index: they are stale now.
        counts.forget()
        pagecache.invalidate([pagecache.SITE])
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {written:,} pages in {time.monotonic() - start:.1f} s.")
        )
