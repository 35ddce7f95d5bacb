"""Who sees what through the API: only live public content without a token, whatever else the
request carries.

Both APIs decide visibility with Wagtail's view restrictions (``accept_request``), which read
the request's session and user. On the reader site that is right: a reader who typed a page's
password, or logged in, sees that page. Through the API it is not: API answers to anonymous
callers are cached as public (``api.caching``), so one reader's unlocked page would be served
to everyone from a CDN. The API therefore never reads sessions; a bearer token (v3) is its
only way to say who asks.

Wagtail's v3 also leaks a little around the page it shows: the page's parent, and whether a
private page exists at a reader path. Both are closed here (``visible_parent``, ``can_read``).

Wagtail's rule for callers without a token (``get_public_pages_queryset``) costs three queries
and a large query to build on every call: it reads every view restriction, the site, and the
translations of the site's root page, and then excludes and includes each one's subtree with
its own condition. ``public_pages`` applies the same rule inside the query that reads the
pages, with the site from the cache.
"""

import functools
from http import HTTPStatus

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Q
from ninja.errors import HttpError
from wagtail.api.querysets import get_public_pages_queryset
from wagtail.api.v3.querysets import get_pages_queryset
from wagtail.api.validators import SiteFilterValidator
from wagtail.models import Page

from compat.wagtail_pages import share_site_root_paths
from core import pagecache
from core.sites import in_site_tree, is_of_site, request_site
from core.visibility import outside_restrictions, restricted

from .kept import page_shown
from .parts import read_live


def without_session(view):
    """Run an API view without the visitor's session or login.

    During the view, ``request.session`` is an empty session that is never saved and
    ``request.user`` is anonymous; v3 then sets the user from a bearer token, if one is sent.
    The real session is put back for the response, so that ``SessionMiddleware`` neither
    saves nor deletes the reader's cookie because of an API call.
    """

    @functools.wraps(view)
    def view_without_session(request, *args, **kwargs):
        session = getattr(request, "session", None)
        request.session = SessionBase()
        request.user = AnonymousUser()
        try:
            return view(request, *args, **kwargs)
        finally:
            if session is not None:
                request.session = session

    return view_without_session


def public_pages(request, model=Page, queryset=None):
    """``get_public_pages_queryset(request, model)`` for the API's callers without a token:
    the same pages, in one query instead of four.

    Only for a request without a session or a login (``without_session``): Wagtail's rule
    lets a reader in through a restriction they passed, which an API caller never did. Raises
    ``ValueError`` when ``?site=`` names several sites, ``Http404`` when it names none, as
    Wagtail's does. ``queryset`` (of ``model``) narrows the pages further: the conditions are
    then added to it rather than to a subquery.
    """
    if request.user.is_authenticated:
        public = get_public_pages_queryset(request, model)
        return public if queryset is None else queryset.filter(pk__in=public.values("pk"))
    site = site_asked_for(request)
    if queryset is None:
        queryset = model._default_manager.all()
    queryset = queryset.live()
    if site is None:
        return queryset.none()
    return queryset.filter(in_site_tree(site), outside_restrictions(except_public=True))


def site_asked_for(request):
    """The site whose pages a read is about: ``?site=host[:port]``, else the request's (None
    when none matches). Raises as ``public_pages`` does."""
    site_filter = request.GET.get("site")
    if site_filter:
        return SiteFilterValidator(site=site_filter, request=request).site_obj
    return request_site(request)


def readable_pages(request):
    """The pages the caller may read through v3 (Wagtail's ``get_pages_queryset``): live and
    public without a token, the pages they may edit or publish with one."""
    if request.user.is_authenticated:
        return get_pages_queryset(request)
    try:
        queryset = public_pages(request)
    except ValueError as error:  # ?site= matches several sites
        raise HttpError(HTTPStatus.BAD_REQUEST, str(error)) from error
    return queryset.select_related("content_type", "locale").order_by("pk")


def can_read(request, page):
    """Whether the caller may read ``page`` through v3: live and public without a token, the
    pages they may edit or publish with one (Wagtail's rule for v3 reads). Call it once v3
    has authenticated the request (from an operation, not a middleware)."""
    return readable_pages(request).filter(pk=page.pk).exists()


def visible_parent(page, context):
    """``meta.parent`` of a v3 page, when the caller may see that parent; else ``None``.

    v2 only names a parent its caller could read; so does this (Wagtail 8.0.1's v3 names it
    whatever it is, see ``compat.wagtail_api.resolve_page_parent_with``).

    Without a token no query is needed: the page itself passed the view restrictions, which
    cover whole subtrees, so its parent did too, and is visible when it is live and not the
    tree's root (which belongs to no site).
    """
    parent = parent_of(page)
    if parent is None:
        return None
    request = context["request"]
    if request.user.is_authenticated:
        return parent if get_pages_queryset(request).filter(pk=parent.pk).exists() else None
    return parent if parent.live and not parent.is_root() else None


_UNREAD = object()


def read_parent_and_translations(page):
    """Read the page's parent (``meta.parent``) and its live translations (``alternates``,
    ``BasePage.live_translations``) in one query, instead of one each."""
    steplen = Page.steplen
    parent_path = page.path[:-steplen] if len(page.path) > steplen else None
    wanted = Q(translation_key=page.translation_key, live=True)
    if parent_path is not None:
        wanted |= Q(path=parent_path)
    parent, translations = None, {}
    for row in Page.objects.filter(wanted).annotate(private=restricted()).select_related("locale"):
        if row.path == parent_path:
            parent = row
        if row.translation_key == page.translation_key and row.live and not row.private:
            translations[row.locale.language_code] = row
    page.__dict__["live_translations"] = translations
    page.ukiyo_parent = parent
    share_site_root_paths([page, parent, *translations.values()])


def read_page(model, page_id):
    """Page ``page_id`` as ``model.detail_queryset()`` reads it, with what its answer shows
    (authors, tags, parent, translations...), whether live or not; None if there is no such
    page. ``ukiyo_hidden``: whether a view restriction on it or above it keeps out callers
    without a login. The caller decides who may read it (``public_to``). Kept
    (``api.parts``)."""

    def read():
        page = (
            model.detail_queryset()
            .filter(pk=page_id)
            .annotate(ukiyo_hidden=restricted(except_public=True))
            .first()
        )
        if page is None:
            return None  # not kept: the id may be given to a new page
        # The body is left as stored: its representation is kept on its own, and a converted
        # body does not survive the cache (Wagtail pickles a StreamField's stored data).
        page.prefetch_for_reading(body=False)
        read_parent_and_translations(page)
        page_shown(page)
        return page

    def renditions_read(page):
        # Wagtail takes a list of renditions read in advance as complete, and would make a
        # rendition made since again: a new one makes the kept page stale (not the answers,
        # which show the renditions they were made with).
        return [pagecache.renditions_tag(image.pk) for image in page.images_read_ahead()]

    key = f"api-page:{model._meta.label_lower}:{int(page_id)}"
    page = pagecache.fragment(
        key, read, keep=lambda page: page is not None, own_tags=renditions_read
    )
    if page is not None:
        page_shown(page)  # declared on a hit too: the answer may be kept (api.kept)
        read_live(page)
    return page


def public_to(page, site):
    """Whether a caller without a token may read ``page`` (from ``read_page``) on ``site``:
    live, out of every view restriction but "public", and of the site (``public_pages``'s
    rule, decided without a query)."""
    return page.live and not page.ukiyo_hidden and is_of_site(page, site)


def parent_of(page):
    """``page.get_parent()``, or the parent ``read_parent_and_translations`` read."""
    parent = getattr(page, "ukiyo_parent", _UNREAD)
    return page.get_parent() if parent is _UNREAD else parent


class _NoSuchPage(Exception):
    pass


def page_kind(page_id):
    """``(language code, content type id)`` of page ``page_id``, or ``(None, None)``.

    Neither changes in a page's life (a page keeps its locale when moved; a translation is
    another page), so they are kept in the cache, under the ``site`` tag that a change of a
    locale moves. A missing page is not kept: its id may be given to a new page.
    """

    def read():
        kind = (
            Page.objects.filter(pk=page_id)
            .values_list("locale__language_code", "content_type_id")
            .first()
        )
        if kind is None:
            raise _NoSuchPage
        return kind

    try:
        return pagecache.cached(f"api-page-kind:{int(page_id)}", (), read)
    except _NoSuchPage:
        return None, None
