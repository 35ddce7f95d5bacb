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
"""

import functools

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from wagtail.api.v3.querysets import get_pages_queryset


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


def can_read(request, page):
    """Whether the caller may read ``page`` through v3: live and public without a token, the
    pages they may edit or publish with one (Wagtail's rule for v3 reads). Call it once v3
    has authenticated the request (from an operation, not a middleware)."""
    return get_pages_queryset(request).filter(pk=page.pk).exists()


def visible_parent(page, context):
    """``meta.parent`` of a v3 page, when the caller may see that parent; else ``None``.

    v2 only names a parent its caller could read; so does this (Wagtail 8.0.1's v3 names it
    whatever it is, see ``compat.wagtail_api.resolve_page_parent_with``).

    Without a token no query is needed: the page itself passed the view restrictions, which
    cover whole subtrees, so its parent did too, and is visible when it is live and not the
    tree's root (which belongs to no site).
    """
    parent = page.get_parent()
    if parent is None:
        return None
    request = context["request"]
    if request.user.is_authenticated:
        return parent if get_pages_queryset(request).filter(pk=parent.pk).exists() else None
    return parent if parent.live and not parent.is_root() else None
