"""Who sees what through the API: only live public content without a token, whatever else the
request carries.

Both APIs decide visibility with Wagtail's view restrictions (``accept_request``), which read
the request's session and user. On the reader site that is right: a reader who typed a page's
password, or logged in, sees that page. Through the API it is not: API answers to anonymous
callers are cached as public (``cms.middleware.APICachingMiddleware``), so one reader's
unlocked page would be served to everyone from a CDN. The API therefore never reads sessions;
a bearer token (v3) is its only way to say who asks.

Wagtail's v3 also leaks a little around the page it shows: the page's parent, and whether a
private page exists at a reader path. Both are closed here.
"""

import functools

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from ninja.schema import Resolver
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.api.v3.errors import as_validation_error
from wagtail.api.v3.querysets import get_pages_queryset
from wagtail.api.v3.schemas.pages import PageMetaSchema
from wagtail.api.v3.schemas.params import RevisionFilterSchema, TranslationFilterSchema


class APIWithoutSessionMiddleware:
    """API requests run without the visitor's session or login.

    During the view, ``request.session`` is an empty session that is never saved and
    ``request.user`` is anonymous; v3 then sets the user from a bearer token, if one is sent.
    The real session is put back for the response, so that ``SessionMiddleware`` neither
    saves nor deletes the reader's cookie because of an API call. Place it after
    ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        session = getattr(request, "session", None)
        request.session = SessionBase()
        request.user = AnonymousUser()
        try:
            return self.get_response(request)
        finally:
            if session is not None:
                request.session = session


def can_read(request, page):
    """Whether the caller may read ``page`` through v3: live and public without a token, the
    pages they may edit or publish with one (Wagtail's rule for v3 reads).

    For code that runs before v3 has looked at the token (middleware): it resolves the token
    itself, and an invalid one counts as none, as in v3's read operations.
    """
    BearerTokenAuth()(request)
    return get_pages_queryset(request).filter(pk=page.pk).exists()


def visible_parent(page, context):
    """``meta.parent`` of a v3 page, when the caller may see that parent; else ``None``.

    Wagtail 8.0.1 names the parent whatever it is, so the detail of a live page under an
    unpublished section printed that section's title, and every top page named the tree's
    root. v2 only names a parent its caller could read; so does this.

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


def _resolve_parent_with(resolve):
    """Swap the resolver of ``meta.parent`` in Wagtail's page meta schema and in any schema
    already derived from it (ninja copies resolvers into each subclass when it is made)."""
    resolver = Resolver(staticmethod(resolve))
    schemas = [PageMetaSchema]
    while schemas:
        schema = schemas.pop()
        schema._ninja_resolvers["parent"] = resolver
        schemas.extend(schema.__subclasses__())


_resolve_parent_with(visible_parent)


# -- Query values Wagtail hands to the database unchecked -----------------------------------
#
# Two of Wagtail 8.0.1's v3 filters pass a query parameter straight into a database lookup:
# ``user_id`` of the revision listings and ``translation_of`` of the snippet listings. A
# value that is not a key (``?user_id=abc``) made Django raise ``ValueError``: a 500. It is the
# caller's mistake, answered like every other bad query parameter (400, naming it).


def _invalid_values_are_bad_requests(schema, method_name, parameter):
    method = getattr(schema, method_name)

    @functools.wraps(method)
    def checked(self, queryset, *args, **kwargs):
        try:
            return method(self, queryset, *args, **kwargs)
        except ValueError as error:
            message = f"Invalid value for {parameter}."
            raise as_validation_error(error, message, loc=("query", parameter)) from error

    setattr(schema, method_name, checked)


_invalid_values_are_bad_requests(RevisionFilterSchema, "filter", "user_id")
_invalid_values_are_bad_requests(TranslationFilterSchema, "filter_queryset", "translation_of")
