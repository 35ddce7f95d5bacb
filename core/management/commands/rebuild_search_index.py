import time

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import get_page_models

from core import counts, pagecache
from core.fulltext import store
from core.fulltext.tasks import reindex_pages


class Command(BaseCommand):
    help = (
        "Write every page into the full-text search index (core.fulltext), in chunks, with "
        "progress; then take out what no longer exists. Readers' searches keep working "
        "meanwhile. (update_index does this too, with Wagtail's own index.) With "
        "--in-worker, the chunks are queued for the workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=500,
            help="Pages read and written at a time (default: 500).",
        )
        parser.add_argument(
            "--in-worker",
            action="store_true",
            help="Queue a task per chunk on the worker's search queue (db_worker --backend "
            "worker), which several workers share, instead of writing every page here.",
        )

    def handle(self, *args, chunk_size, in_worker, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be 1 or more.")
        if in_worker:
            self.queue(chunk_size)
            return
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

    def queue(self, chunk_size):
        # What no longer exists goes first: a chunk only writes the pages it finds.
        store.remove_stale()
        queued = pages = 0
        for model in get_page_models():
            if not model.get_search_fields():
                continue
            ids = list(model.objects.exact_type(model).order_by("pk").values_list("pk", flat=True))
            for at in range(0, len(ids), chunk_size):
                chunk = ids[at : at + chunk_size]
                reindex_pages.enqueue(model._meta.label, chunk[0], chunk[-1])
                queued += 1
            pages += len(ids)
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued {queued:,} task(s) for {pages:,} pages on the search queue: the "
                "workers (db_worker --backend worker) write them."
            )
        )
