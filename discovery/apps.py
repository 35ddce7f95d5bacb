from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """How crawlers and feed readers find the site: robots.txt, sitemaps, feeds."""

    name = "discovery"
