"""The site a request is for, and the page routing starts from, read from the cache.

For every request Wagtail finds both again: the site by the request's host and port (a query
whose ordering is built anew each time), then the site's root page in the request's language
(``site.root_page.localized.specific``: the active locale, the live translation and the
specific page, three more queries). Neither changes until an edit changes it, so both are
kept with the pieces of pages (``pagecache.cached``), under the tags those edits move: any
change of a site or a locale (``site``), and the publication, unpublication, move or
deletion of the root page or of one of its translations (its page tag).

Wagtail keeps what it found on the request and reads it from there first: ``request_site``
and ``route`` leave what they find in the same place (``compat.wagtail_pages``), so every
later ``Site.find_for_request`` and ``Page.route_for_request`` of the request uses it.
"""

from django.core.exceptions import DisallowedHost
from django.http import Http404
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail.models import Site

from compat.wagtail_pages import route_for_request, site_for_request

from . import pagecache


def _find_site(request):
    # Only a host the site answers is kept: a page rendered before Django checks the host
    # (the 413 page of a body over the limit) must not let a client add one entry per host
    # name it makes up. Wagtail matches the host as the request gives it
    # (``_get_raw_host``) and the port; so does the key.
    try:
        request.get_host()
    except DisallowedHost:
        return Site.find_for_request(request)
    hostname = split_domain_port(request._get_raw_host())[0]
    return pagecache.cached(
        f"site:{hostname}:{request.get_port()}", (), lambda: Site.find_for_request(request)
    )


def request_site(request):
    """The site the request is for (``Site.find_for_request``), or None when none matches."""
    return site_for_request(request, _find_site)


def language_root(site):
    """The page routing starts from: the site's root page in the active language, its live
    translation if it has one (``site.root_page.localized.specific``, as Wagtail routes)."""
    root = site.root_page
    return pagecache.cached(
        f"language-root:{site.pk}:{get_language()}",
        (pagecache.page_tag(root.translation_key),),
        lambda: root.localized.specific,
    )


def _route(request, path):
    site = request_site(request)
    if site is None:
        return None
    try:
        return language_root(site).route(request, [part for part in path.split("/") if part])
    except Http404:
        return None


def route(request, path):
    """``Page.route_for_request(request, path)``: the page, args and kwargs that serve
    ``path``, or None when no page does."""
    return route_for_request(request, path, _route)


def serve(request, path):
    """Wagtail's page view (``wagtail.views.serve``), routed from the cached site and root."""
    from wagtail import views as wagtail_views

    route(request, path)
    return wagtail_views.serve(request, path)
