"""HTTP caching of the API's reads: ETag and 304, and Cache-Control that fits who asks.

- Anonymous reads (live, public content, the same JSON for everyone) may be cached:
  ``max-age`` for browsers and apps, ``s-maxage`` for shared caches (CDNs), by kind of
  resource (``UKIYO_API_CACHE_LIFETIMES``): pages and listings briefly, so corrections travel
  fast; categories, authors and images longer; the OpenAPI document for an hour; the change
  feed not at all without revalidating (``no-cache``: a client that syncs must see every
  change).
- A request with a token (``Authorization``) or asking for drafts (``version=draft``) may see
  what others must not: ``private, no-store``, with an ETag all the same, so that a token
  holder's client can ask again with ``If-None-Match`` (no ``Last-Modified``: the content
  clock does not follow drafts). So may any answer its view already marked private or
  no-store (previews): it is left as it is.
- Errors are not kept (``no-store``); redirects (``find/``) briefly, like the content.
- Every read gets an ``ETag`` (a hash of the body; of a redirect, of where it leads; a token
  holder's read of a page keeps the revision tag its view gives, for ``If-Match``);
  ``If-None-Match`` with the same tag answers ``304 Not Modified`` without the body (a
  redirect is always answered whole: conditional requests apply to 2xx answers, RFC 9110
  13.2.1). ``Vary: Authorization`` keeps caches from mixing token holders' and anonymous
  answers.
- Anonymous reads also get ``Last-Modified`` when an app has said when content last changed
  (``set_last_modified``; ``changes`` does, from its content clock, and for its feed from
  the feed's own clock), so ``If-Modified-Since`` answers 304 only when nothing the answer
  shows has changed since. A kept answer (``api.kept``) carries the time read before it was
  built, as long as it is kept: nothing it shows has changed since. ``If-None-Match`` wins
  when a client sends both.

Django's ``ConditionalGetMiddleware`` gives other answers: it leaves ``HEAD`` without a tag
and answers 304 to token holders whose write ``ETag`` (a revision, not a representation)
matches, so the policy uses Django's helpers under its own rules.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date, quote_etag

# What an anonymous API read is, by path (first match), for its lifetime in
# ``UKIYO_API_CACHE_LIFETIMES``. Anything else is "content".
API_RESOURCE_KINDS = [
    (re.compile(r"^/api/v[23]/changes/"), "feed"),
    (re.compile(r"^/api/v3/(openapi\.json|docs/|schema/)"), "schema"),
    (
        re.compile(r"^/api/v[23]/(categories|authors|images|documents|sites|site-config)/"),
        "reference",
    ),
]

# Where Last-Modified comes from, by kind of resource; None: every kind without its own.
_last_modified = {}
REDIRECTS = frozenset([301, 302, 303, 307, 308])


def set_last_modified(source, kind=None):
    """Say where ``Last-Modified`` comes from: ``source()`` returns an aware date-time (the
    last change to anything the API serves) or None. ``kind`` (of ``API_RESOURCE_KINDS``)
    gives one kind of resource a source of its own. Called from an app's ``ready()``."""
    _last_modified[kind] = source


def api_resource_kind(path):
    return next((kind for pattern, kind in API_RESOURCE_KINDS if pattern.match(path)), "content")


def last_modified_of(request):
    """When the content of the answer to ``request`` last changed, by its kind's source
    (``set_last_modified``), or None."""
    kind = api_resource_kind(request.path_info)
    source = _last_modified.get(kind, _last_modified.get(None))
    return source() if source else None


def http_caching(view):
    """Apply the policy above to the answers of an API view."""

    @functools.wraps(view)
    def view_with_caching(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return response
        if hasattr(response, "render") and callable(response.render):
            # API v2 answers are rendered after the view; the ETag hashes the bytes.
            response = response.render()
        return cached_answer(request, response)

    return view_with_caching


def is_personal(request):
    """Whether a read may see what others must not: a token, or a draft asked for."""
    return "HTTP_AUTHORIZATION" in request.META or request.GET.get("version") == "draft"


def cached_answer(request, response):
    patch_vary_headers(response, ["Authorization"])
    if response.status_code in REDIRECTS and response.has_header("Location"):
        # A redirect's answer is where it leads: find/ leads elsewhere once the page moves.
        where = f"{response.status_code} {response['Location']}".encode()
        response["ETag"] = quote_etag(hashlib.md5(where, usedforsecurity=False).hexdigest())
    if response.status_code >= 400:
        patch_cache_control(response, private=True, no_store=True)
        return response
    if is_personal(request):
        patch_cache_control(response, private=True, no_store=True)
        if response.has_header("ETag") or response.streaming or response.status_code != 200:
            # A tag the view gave (a page's revision, for If-Match) names no JSON: a renamed
            # category changes the answer, not the revision. It is never compared here.
            return response
        set_response_etag(response)
        return get_conditional_response(request, etag=response["ETag"], response=response)
    marked = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    if marked & {"private", "no-store"}:
        return response
    kind = api_resource_kind(request.path_info)
    max_age, shared_max_age = settings.UKIYO_API_CACHE_LIFETIMES[kind]
    if max_age or shared_max_age:
        patch_cache_control(response, public=True, max_age=max_age, s_maxage=shared_max_age)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    if response.streaming:
        return response
    if response.status_code == 200:
        set_response_etag(response)
    elif response.status_code not in REDIRECTS or not response.has_header("ETag"):
        return response
    # An answer api.kept built or kept brings the time it read before building it (a kept
    # one: nothing it shows has changed since): no second query.
    if hasattr(response, "ukiyo_last_modified"):
        changed_at = response.ukiyo_last_modified
    else:
        changed_at = last_modified_of(request)
    if changed_at is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(changed_at.timestamp())
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=changed_at and int(changed_at.timestamp()),
        response=response,
    )
