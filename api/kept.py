"""Anonymous API reads kept whole in the page cache's store, stale exactly when what they show
changes.

When news breaks, frontends ask for the same few URLs again and again: the article of the
hour, the first page of cards. An anonymous read of live content is the same JSON for every
caller. A view that knows everything its answer shows declares it (``shows``: the page cache's
dependency tags, ``core.pagecache``), and its 200 answer is kept (``core.pagecache.fragment``)
under the request's scheme, host, path and query string. A change that moves one of those
tags (``changes.invalidation``: the page or a translation of it, its parent, the pages its
body links to, its category or authors, the site's images and sites; for cards, their
language's pages) makes the answer stale at once, as it does reader pages. An answer whose
view declared nothing is never kept: only the views that call ``shows`` (the pages' detail in
both APIs, the article cards) have kept answers.

A token (``Authorization``) or ``version=draft`` is never answered from here, nor kept. What
an answer is made of may be kept all the same, for any caller (``api.parts``): the page as
read, and its StreamFields' representations when the page was read live.
``X-API-Cache`` says what happened to a read (``HEADER``). The HTTP caching policy
(``api.caching``: ETag, 304, Cache-Control) and the checks of the query (400s, the search
rate limit) run around this, on every request.
"""

import contextvars
import functools
import hashlib
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse

from core import pagecache

from .caching import is_personal, last_modified_of

# The answer being built: [whether its view declared what it shows], or None outside one.
_declared = contextvars.ContextVar("ukiyo_api_kept_declared", default=None)

# Headers that are new in every answer, or set around this layer (api.caching).
_NOT_KEPT = {"content-length", "date", "vary", "cache-control", "etag", "last-modified"}

# What happened to an anonymous read, as ``X-Page-Cache`` says of reader pages: ``hit`` (the
# kept answer), ``miss`` (built and kept) or ``bypass`` (built, never kept: a token, a draft,
# an error, a view that does not declare what it shows).
HEADER = "X-API-Cache"


def shows(*tags):
    """Declare that the answer being built shows what ``tags`` name, and that its view
    declares everything it shows: the answer may be kept."""
    pagecache.depends_on(*tags)
    declared = _declared.get()
    if declared is not None:
        declared[0] = True


def page_shown(page):
    """Declare what a page's answer shows (after ``prefetch_for_reading`` and
    ``read_parent_and_translations``): the page and its translations, the snippets its row
    joins and its authors (``page_cache_tags``), its parent (``meta.parent``), and the site's
    header pages.

    Not its language's other pages (``list:<language>``): a page's answer shows none of them.
    What it shows of other pages moves their own tags: a move or a new slug of an ancestor
    is recorded for every live page under it (``changes.signals``), so its URLs and its
    parent's follow their own tags; a rich-text link declares the page it links to
    (``core.rich_text``). An article's answer therefore stays kept while other articles of
    its language are published, as they are every few minutes when news breaks."""
    parent = getattr(page, "ukiyo_parent", None)
    shows(
        *page.page_cache_tags(),
        parent and pagecache.page_tag(parent.translation_key),
        pagecache.CHROME,
    )


def kept_answer(response, last_modified):
    """What an answer is made of, as plain data: what the cache keeps (no class of ours to
    unpickle, which a later version might have renamed). ``last_modified``: when its content
    last changed, read before it was built (``api.caching.last_modified_of``), or None."""
    return {
        "status": response.status_code,
        "headers": [
            (name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT
        ],
        "content": response.content,
        "last_modified": last_modified and last_modified.timestamp(),
    }


def response_from(kept):
    """The kept answer as a response; with the time its content last changed, for
    ``api.caching``'s ``Last-Modified`` (an answer kept by an earlier version has none: it is
    read then)."""
    response = HttpResponse(kept["content"], status=kept["status"])
    for name, value in kept["headers"]:
        response[name] = value
    if kept.get("last_modified") is not None:
        response.ukiyo_last_modified = datetime.fromtimestamp(kept["last_modified"], tz=UTC)
    return response


def keepable(request):
    return settings.UKIYO_API_KEPT_ANSWERS and not is_personal(request)


def key_of(request):
    """The request's scheme, host, path and query string (its parameters sorted)."""
    query = sorted(request.GET.lists())
    identity = "\x1f".join(
        [
            request.scheme,
            request.get_host().lower(),
            request.path_info,
            *(f"{name}={value}" for name, values in query for value in values),
        ]
    )
    return "api:" + hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()


def storable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store"))


def kept_answers(view):
    """Answer an anonymous read from its kept answer, or keep the answer its view builds."""

    @functools.wraps(view)
    def view_with_kept_answers(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if not keepable(request):
            # Its parts may still be kept (api.parts): a page read live, its StreamFields.
            with pagecache.keeping_fragments():
                response = view(request, *args, **kwargs)
                if response.status_code < 400 and not is_personal(request):
                    # Read within the view's reads: a listing's count read it already.
                    response.ukiyo_last_modified = last_modified_of(request)
            response[HEADER] = "bypass"
            return response
        built = {}

        def build():
            # Read before the answer is built: a change that commits meanwhile may be in the
            # answer with a later time than this (a client then gets it again), where a time
            # read after could claim a change the answer does not hold.
            last_modified = last_modified_of(request)
            declared = [False]
            token = _declared.set(declared)
            try:
                response = view(request, *args, **kwargs)
            finally:
                _declared.reset(token)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()  # API v2: rendered after its view
            if declared[0] and storable(response):
                built["kept"] = True
                return kept_answer(response, last_modified)
            response.ukiyo_last_modified = last_modified  # read once (api.caching)
            built["response"] = response
            return None

        with pagecache.keeping_fragments():
            kept = pagecache.fragment(key_of(request), build, keep=lambda kept: kept is not None)
        if kept is None:
            response = built["response"]
            response[HEADER] = "bypass"
            return response
        response = response_from(kept)
        response[HEADER] = "miss" if built.get("kept") else "hit"
        return response

    return view_with_kept_answers
