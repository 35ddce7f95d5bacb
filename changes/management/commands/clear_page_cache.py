from django.core.management.base import BaseCommand

from core import pagecache

from ...invalidation import site_wide


class Command(BaseCommand):
    help = (
        "Make every page kept in the page cache stale (after a deployment that changes "
        "templates, or data written without signals: bulk imports, raw SQL), and purge the "
        "home and All Articles pages of every language from the CDN."
    )

    def handle(self, *args, **options):
        if not pagecache.enabled():
            self.stdout.write("The page cache is off (PAGE_CACHE): nothing to clear.")
            return
        site_wide([pagecache.SITE])
        self.stdout.write("Every cached page is stale; the CDN was asked to purge the lists.")
