from django.core.management.base import BaseCommand, CommandError

from core import databases, pagecache
from core.sharedcache import CacheUnavailable, strict

from ...invalidation import site_wide


class Command(BaseCommand):
    help = (
        "Make every page and shared page part kept in the page cache stale (after a "
        "deployment that changes templates, or data written without signals: bulk imports, "
        "raw SQL, a database restored from a backup), and purge the home and All Articles "
        "pages of every language from the CDN."
    )

    def handle(self, *args, **options):
        try:
            with strict():
                # With a read replica: readers read it again once it has the primary as it is
                # now, also when the primary was restored to an earlier point than the one
                # last recorded.
                databases.note_change(restart=True)
                site_wide([pagecache.SITE])
        except CacheUnavailable as error:
            raise CommandError(
                f"The page cache cannot be reached ({error}): nothing was made stale. Run this "
                "again once it answers."
            ) from error
        if pagecache.enabled():
            self.stdout.write("Every cached page is stale; the CDN was asked to purge the lists.")
        else:
            self.stdout.write(
                "The shared parts of the pages (header, footer, cookie banner) are stale; "
                "whole pages are not cached (PAGE_CACHE=off)."
            )
