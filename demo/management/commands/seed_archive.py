import time

from django.core.management.base import BaseCommand, CommandError

from core import pagecache
from demo.archive import ArchiveError, ArchiveSeeder


class Command(BaseCommand):
    help = (
        "Add an archive of article pages to the demo site, in bulk: originals in Japanese "
        "and their translations, published over the last ten years, searchable and in the "
        "change feed. For trying ukiyo at newsroom scale; run load_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            default=1000,
            help="How many article pages to add, translations included (default: 1000).",
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Delete the pages an earlier seed_archive added first (the demo's stay).",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for a repeatable archive."
        )

    def handle(self, *args, articles, clear, seed, **options):
        if articles < 0:
            raise CommandError("--articles must be 0 or more.")
        seeder = ArchiveSeeder(stdout=self.stdout, seed=seed)
        if clear:
            start = time.monotonic()
            deleted = seeder.clear()
            self.stdout.write(
                f"Deleted {deleted} seeded article pages in {time.monotonic() - start:.1f} s."
            )
        if not articles:
            return
        start = time.monotonic()
        try:
            stories = seeder.seed(articles)
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        # Rows inserted in bulk announce nothing: every kept page may now miss an article.
        pagecache.clear()
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {articles} article pages ({stories} stories with their translations) "
                f"in {time.monotonic() - start:.1f} s."
            )
        )
