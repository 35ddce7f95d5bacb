"""The site a request is for, the page routing starts from and its route, from the cache.

For every request Wagtail finds both again: the site by the request's host and port (a query
whose ordering is built anew each time), then the site's root page in the request's language
(``site.root_page.localized.specific``: the active locale, the live translation and the
specific page, three more queries; two here). Neither changes until an edit changes it, so
both are kept with the pieces of pages (``pagecache.cached``), under the tags those edits
move: any change of a site or a locale (``site``), and the publication, unpublication, move
or deletion of the root page or of one of its translations (its page tag).

The route of a page's path is kept as well, inside the page view only (``serve``): the page
``BasePage.route`` found, with its ancestors and translations, depending on the page tags of
each and on what the page's row shows (``row_cache_tags``). A path no page answers is never
kept, nor is a route a page works out itself.

Wagtail keeps what it found on the request and reads it from there first: ``request_site``
and ``route`` leave what they find in the same place (``compat.wagtail_pages``), so every
later ``Site.find_for_request`` and ``Page.route_for_request`` of the request uses it.
"""

import functools
import hashlib
import operator

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db.models import Q
from django.http import Http404
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail.models import Locale, Page, Site

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

    def read():
        # root.localized.specific, reading the live translation as its specific page at once
        # (a translation is of the same model): one query where Wagtail's takes two.
        if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return root.specific
        try:
            locale = Locale.get_active()
        except (LookupError, Locale.DoesNotExist):
            return root.specific
        if locale.pk == root.locale_id:
            return root.specific
        model = root.specific_class
        if model is None:  # its model's app is gone
            return root.localized.specific
        translation = model.objects.filter(
            translation_key=root.translation_key, locale=locale, live=True
        ).first()
        return translation if translation is not None else root.specific

    return pagecache.cached(
        f"language-root:{site.pk}:{get_language()}",
        (pagecache.page_tag(root.translation_key),),
        read,
    )


def tree_paths(site):
    """The tree paths (``Page.path``) of the site's root page and, with
    ``WAGTAIL_I18N_ENABLED``, of each of its translations: a page is of the site when its path
    starts with one of them.

    A listing filtered by these prefixes is planned from the column's statistics; the same
    filter as a correlated subquery (Wagtail's ``in_site``) is estimated at one row, and
    PostgreSQL then sorts every page of a large archive instead of reading an index in order.
    """
    root = site.root_page

    def read():
        if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return (root.path,)
        translations = Page.objects.filter(translation_key=root.translation_key)
        return tuple(sorted(translations.values_list("path", flat=True)))

    return pagecache.cached(
        f"site-tree-paths:{site.pk}:{root.pk}", (pagecache.page_tag(root.translation_key),), read
    )


def in_site_tree(site):
    """True (as a condition) for a page of ``site``: its root page or a translation of it, or
    one of their descendants (Wagtail's site filter, with ``WAGTAIL_I18N_ENABLED``), by the
    root pages' tree paths (``tree_paths``, from the cache)."""
    conditions = [Q(path__startswith=path) for path in tree_paths(site)]
    return functools.reduce(operator.or_, conditions) if conditions else Q(pk__in=())


def is_of_site(page, site):
    """Whether ``page`` is of ``site`` (``in_site_tree``), decided without a query: for a
    page read already (the APIs' kept pages, ``api.access.read_page``)."""
    return site is not None and page.path.startswith(tree_paths(site))


def _route(request, path):
    site = request_site(request)
    if site is None:
        return None
    components = [part for part in path.split("/") if part]
    root = language_root(site)

    def find():
        try:
            found = root.route(request, components)
        except Http404:
            return None
        if _found_in_one_go(found):
            # The pages on the way (the parent's URL and title), the page's row as its
            # detail_queryset reads it, its translations (its language menu).
            ancestors = found.page._routed_ancestors
            pagecache.depends_on(
                *(pagecache.page_tag(page.translation_key) for page in ancestors),
                *found.page.row_cache_tags(),
            )
        return found

    if not components or not pagecache.keeping():
        return find()
    identity = "\x1f".join((str(site.pk), get_language(), "/".join(components)))
    key = "route:" + hashlib.sha256(identity.encode()).hexdigest()
    return pagecache.fragment(key, find, keep=_found_in_one_go)


def _found_in_one_go(found):
    """Whether ``BasePage.route`` found a page in one go (no page on the path routes itself):
    the pages on the way are known, and the route is kept depending on each of them. No
    page (a 404) is never kept: a page published there later would not make it stale."""
    return (
        found is not None
        and not found.args
        and not found.kwargs
        and bool(getattr(found.page, "_routed_ancestors", None))
    )


def route(request, path):
    """``Page.route_for_request(request, path)``: the page, args and kwargs that serve
    ``path``, or None when no page does."""
    return route_for_request(request, path, _route)


def serve(request, path):
    """Wagtail's page view (``wagtail.views.serve``), routed from the cached site and root,
    the route itself from the cache when a page's path was routed before, and the parts of
    the page a page type keeps (``{% kept %}``, rendered by its ``serve``) from the cache."""
    from wagtail import views as wagtail_views

    with pagecache.keeping_fragments():
        route(request, path)
        return wagtail_views.serve(request, path)
