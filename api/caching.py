"""HTTP caching of the API's reads: ETag and 304, and Cache-Control that fits who asks.

- Anonymous reads (live, public content, the same JSON for everyone) may be cached:
  ``max-age`` for browsers and apps, ``s-maxage`` for shared caches (CDNs), by kind of
  resource (``UKIYO_API_CACHE_LIFETIMES``): pages and listings briefly, so corrections travel
  fast; categories, authors and images longer; the OpenAPI document for an hour; the change
  feed not at all without revalidating (``no-cache``: a client that syncs must see every
  change).
- A request with a token (``Authorization``) or asking for drafts (``version=draft``) may see
  what others must not: ``private, no-store``. So may any answer its view already marked
  private or no-store (previews): it is left as it is.
- Errors are not kept (``no-store``); redirects (``find/``) briefly, like the content.
- Every read gets an ``ETag`` (a hash of the body); ``If-None-Match`` with the same tag
  answers ``304 Not Modified`` without the body. ``Vary: Authorization`` keeps caches from
  mixing token holders' and anonymous answers.
- Anonymous reads also get ``Last-Modified`` when an app has said when content last changed
  (``set_last_modified``; ``changes`` does, from its content clock), so ``If-Modified-Since``
  answers 304 only when nothing the API serves has changed since. ``If-None-Match`` wins
  when a client sends both.

Django's ``ConditionalGetMiddleware`` gives other answers: it leaves ``HEAD`` without a tag
and answers 304 to token holders whose write ``ETag`` (a revision, not a representation)
matches, so the policy uses Django's helpers under its own rules.
"""

import functools
import re

from django.conf import settings
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date

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

_last_modified = None


def set_last_modified(source):
    """Say where ``Last-Modified`` comes from: ``source()`` returns an aware date-time (the
    last change to anything the API serves) or None. Called once, from an app's ``ready()``."""
    global _last_modified
    _last_modified = source


def api_resource_kind(path):
    return next((kind for pattern, kind in API_RESOURCE_KINDS if pattern.match(path)), "content")


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
    if is_personal(request) or response.status_code >= 400:
        patch_cache_control(response, private=True, no_store=True)
        return response
    marked = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    if marked & {"private", "no-store"}:
        return response
    kind = api_resource_kind(request.path_info)
    max_age, shared_max_age = settings.UKIYO_API_CACHE_LIFETIMES[kind]
    if max_age or shared_max_age:
        patch_cache_control(response, public=True, max_age=max_age, s_maxage=shared_max_age)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    if response.status_code != 200 or response.streaming:
        return response
    set_response_etag(response)
    # The feed's answer also changes with time alone (a change it held back settles), which
    # the clock does not see: the feed revalidates by ETag only.
    changed_at = _last_modified() if _last_modified and kind != "feed" else None
    if changed_at is not None and not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(changed_at.timestamp())
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=changed_at and int(changed_at.timestamp()),
        response=response,
    )
