"""Absolute addresses of API endpoints, as every link the API gives them.

Pages link to themselves in both APIs (``alternates``), cards and change-feed items link to
what they describe: all of them from ``WAGTAILAPI_BASE_URL`` and the URL names of the two
APIs, never from the request, so that the same content gives the same JSON behind any proxy.
"""

from django.conf import settings
from django.urls import reverse


def api_base():
    """What every link the API gives starts with (``WAGTAILAPI_BASE_URL``, no final slash)."""
    return settings.WAGTAILAPI_BASE_URL.rstrip("/")


def api_url(name, *args):
    """The absolute URL of an API endpoint: ``api_url("wagtailapi_v3:detail_page", 57)``."""
    return api_base() + reverse(name, args=args)


def page_api_urls(page_id):
    """``(v2 detail URL, v3 detail URL)`` of a page."""
    return (
        api_url("wagtailapi:pages:detail", page_id),
        api_url("wagtailapi_v3:detail_page", page_id),
    )


def absolute_media_url(url):
    """Media (and static files) served by this site have a path for a URL; a frontend
    elsewhere needs the host. A URL elsewhere (cloud storage, a CDN) is kept as it is."""
    if url.startswith("/"):
        return api_base() + url
    return url
