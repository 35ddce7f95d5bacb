from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """How crawlers and feed readers find the site: robots.txt, sitemaps, feeds."""

    name = "discovery"

    def ready(self):
        from django.db.models.signals import post_save

        from . import indexnow

        # A change recorded by the changes app (the feed's and the webhooks' source): search
        # engines hear of it too.
        post_save.connect(
            indexnow.on_change_recorded,
            sender="changes.ContentChange",
            dispatch_uid="discovery.indexnow",
        )
