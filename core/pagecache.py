"""Reader pages kept in Django's cache, and made stale exactly when what they show changes.

Three parts (docs/configuration.md, "Caching"):

The key
    ``PageKey.for_request``: which requests may be answered from the cache, and under which
    key (scheme, host, language, path, and the query parameters a page reads). Anything it
    cannot be sure of (a session or messages cookie, an unknown parameter) bypasses the cache.
    Every kept page, part and piece is also kept under the running release (``in_release``).

Dependency tags and generations
    While a page renders, the code that reads something declares it: ``depends_on("list:ja")``
    (the site chrome, the consent banner, the page itself, the pages its links point to...).
    A change names the tags it affects (``invalidate``). A global counter, the *generation*,
    moves forward with every change; each tag holds the generation of its last change, and
    each stored page the generation read *before* it started rendering. A page is fresh while
    none of its tags changed after that: so a change that commits while a page renders makes
    that page stale at once, whatever the page read before or after it. A missing tag (never
    changed since the cache was emptied, or evicted) counts as changed.

Invalidation
    ``invalidate`` moves the tags forward at once (the writer's own transaction sees its
    change) and again after the commit (every other process: a page rendered in between from
    the old rows is stale again), and then asks the CDN to purge the URLs the change touched
    (Wagtail's ``frontend_cache``; nothing to do when ``WAGTAILFRONTENDCACHE`` is empty).
    With a read replica, the commit's place in the primary's WAL is recorded before the tags
    move: readers read the primary until the replica has the change, and what a request read
    from a replica that may lack a change is not kept (``core.databases``).

While the shared cache (Redis) is out of reach, nothing is found in it and nothing is kept
(``core.sharedcache``): pages render from the database. A change made then cannot move its
tags, and a Redis that comes back with its data would still hold the pages it made stale: the
process that made the change makes every kept page stale the next time it reaches the cache.

Nothing here reads a page model: what a change touches is decided by ``changes.invalidation``
(pages and snippets) and the apps that own other settings (``consent``).
"""

import contextvars
import gzip
import hashlib
import logging
import pickle
import secrets
import struct
import threading
import time
import zlib
from collections import OrderedDict
from contextlib import contextmanager, suppress
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, transaction

from compat.django import on_commit_once, scheduled_on_commit

from . import databases
from .sharedcache import CacheUnavailable, is_strict, strict

logger = logging.getLogger(__name__)

# Tags every page may depend on (others are built by the functions below).
SITE = "site"  # everything: sites, locales, images, documents, tags, a clear_page_cache
CHROME = "chrome"  # the header and footer links: home pages, All Articles, footer pages
CONSENT = "consent"  # the consent settings (policy version, scripts) of every language
# Declared by what a page shows only partly for now (an image whose original the storage did
# not give: ``core.renditions.renditions_or_none``): neither the page nor any part or API
# answer made with it is kept, so the whole one is made once the storage answers again.
INCOMPLETE = "incomplete"

GENERATION = "generation"
ENTRY_PREFIX = "entry:"
TAG_PREFIX = "tag:"
FRAGMENT_PREFIX = "fragment:"

_collector = contextvars.ContextVar("ukiyo_page_cache_tags", default=None)


def page_tag(translation_key):
    """A page and its translations: publishing one changes every translation's language menu."""
    return f"page:{translation_key}"


def list_tag(language):
    """The lists of one language: its home page, All Articles and its categories, search."""
    return f"list:{language}"


def consent_tag(language):
    """The cookie banner texts of one language."""
    return f"consent:{language}"


def renditions_tag(image_pk):
    """The renditions of one image, for what keeps a list of them read in advance (the page
    as the APIs read it: ``api.access.read_page``): a rendition made since is in the next."""
    return f"renditions:{image_pk}"


def object_tag(label, pk):
    """One snippet (``news.category``, 12), for the pages that show it."""
    return f"object:{label.lower()}:{pk}"


def enabled():
    """Whether whole pages are kept (``PAGE_CACHE``). The pieces many pages share
    (``cached``) and the tags that make them stale work either way."""
    return bool(getattr(settings, "UKIYO_PAGE_CACHE", False))


def cache():
    """The page cache's store, after catching up with the changes this process could not
    record in it."""
    if _missed is not None:
        _catch_up()
    return _store()


def _store():
    return caches[settings.UKIYO_PAGE_CACHE_ALIAS]


def in_release(key):
    """``key`` for the running release (``UKIYO_RELEASE``): kept pages, parts and pieces are
    made by the code, so each release keeps its own. During a rolling deployment a server of
    the new release never serves the HTML (or reads the data) the old code made, and the
    reverse. The generation and the tags are never in a release: they say what changed."""
    release = settings.UKIYO_RELEASE
    return f"{release}/{key}" if release else key


# ---------------------------------------------------------------------------
# What a page depends on
# ---------------------------------------------------------------------------


def depends_on(*tags):
    """Declare that the page being rendered shows what ``tags`` name (no-op outside one)."""
    collected = _collector.get()
    if collected is not None:
        collected.update(tag for tag in tags if tag)


@contextmanager
def collecting():
    """Collect the tags declared while the block runs (nested blocks add to the outer one)."""
    outer = _collector.get()
    tags = set()
    token = _collector.set(tags)
    try:
        yield tags
    finally:
        _collector.reset(token)
        if outer is not None:
            outer.update(tags)


# ---------------------------------------------------------------------------
# Generations
# ---------------------------------------------------------------------------


def _seed():
    # After the counter is lost (an emptied or restarted cache), it starts again above any
    # value it can have reached: microseconds since the epoch grow faster than changes.
    return time.time_ns() // 1000


def current_generation(value=None):
    """The generation now (``value``: what a ``get_many`` already read, if anything)."""
    if value is not None:
        return value
    store = cache()
    store.add(GENERATION, _seed(), timeout=None)
    return store.get(GENERATION)


def _next_generation():
    store = _store()
    try:
        return store.incr(GENERATION)
    except ValueError:
        store.add(GENERATION, _seed(), timeout=None)
        return store.incr(GENERATION)


def bump(tags):
    """Mark ``tags`` as changed now: every entry that depends on one of them is stale.

    The generation moves forward twice: before the tags take its value, and after. A process
    that found a copy fresh when the generation had a value (``LocalCopies``) may take it as
    fresh without reading its tags while the generation keeps that value; had it read the tags
    between the first step and the second, the second step still tells it to read them again.
    """
    global _missed
    tags = set(tags)
    if not tags:
        return
    try:
        _record(tags)
    except CacheUnavailable as error:
        _missed = object()
        logger.warning(
            "A change could not reach the page cache (%s): pages are made without it until it "
            "answers, and every page kept before the change is made stale then.",
            error,
        )
        if is_strict():
            raise


# A change this process could not record (a new object for each), or None: pages kept before
# it may show what it changed, until ``_catch_up`` makes every kept page stale.
_missed = None
_missed_lock = threading.Lock()


def _record(tags):
    """Move ``tags`` forward, and ``SITE`` too after a missed change; ``CacheUnavailable``
    when the cache cannot be reached, with nothing changed in this process."""
    global _missed
    missed = _missed
    if missed is not None:
        tags = {*tags, SITE}
    if not tags:
        return
    with strict():
        generation = _next_generation()
        _store().set_many({TAG_PREFIX + tag: generation for tag in tags}, timeout=None)
        _next_generation()
    if missed is not None:
        with _missed_lock:
            if _missed is missed:  # no other change missed meanwhile
                _missed = None
        logger.warning("The page cache answers again: every page kept before is stale.")


def _catch_up():
    # Still out of reach: nothing is found in it, nothing kept; the next use tries again.
    with suppress(CacheUnavailable):
        _record(())


def is_fresh(generation, tag_values):
    """Whether an entry made at ``generation`` is fresh, given its tags' current values."""
    return all(value is not None and value <= generation for value in tag_values)


def _settle_tags(tags, generation, values):
    """Give missing tags the generation an entry read before rendering (``add``: a tag
    changed meanwhile keeps its newer value). Returns whether every tag is then fresh."""
    store = cache()
    fresh = True
    for tag in tags:
        value = values.get(TAG_PREFIX + tag)
        if value is None:
            store.add(TAG_PREFIX + tag, generation, timeout=None)
            value = store.get(TAG_PREFIX + tag)
        if value is None or value > generation:
            fresh = False
    return fresh


def cached(key, tags, compute, timeout=None):
    """``compute()``, kept under ``key`` while none of ``tags`` changes.

    For pieces many pages share (the site chrome, the consent data): a page rendered without
    the page cache (``PAGE_CACHE=off``, a logged-in reader, a form) reads them from the cache
    too. The tags are also declared for the page being rendered.

    Inside ``keeping_fragments`` (a live page's view, an API read), this process's own copy
    (``LocalCopies``) is used while the generation the view read at its start is the one its
    tags were last found fresh at: no read at all. A piece with its own ``timeout`` (what
    also ages: the news sitemap) always comes from the shared cache.
    """
    tags = (SITE, *tags)
    depends_on(*tags)
    store = cache()
    full_key = in_release("piece:" + key)
    # In a view that keeps parts, the generation its start read tells whether this process's
    # own copy is still fresh: most requests then read no piece from the shared cache.
    local = timeout is None
    started = _fragments_generation.get()
    if local and started is not None:
        copy, _now = local_pieces.fresh(full_key, store, started)
        if copy is not None:
            return _value_of(copy)
    tag_keys = [TAG_PREFIX + tag for tag in tags]
    values = store.get_many([full_key, GENERATION, *tag_keys])
    entry = values.get(full_key)
    if entry is not None and is_fresh(entry[0], [values.get(k) for k in tag_keys]):
        if local:  # its tags were fresh when the generation had the value read with them
            local_pieces.put(full_key, _local_piece(entry, tags), values.get(GENERATION))
        return entry[1]
    generation = current_generation(values.get(GENERATION))
    value = compute()
    if _settle_tags(tags, generation, values) and databases.reads_are_current():
        entry = (generation, value)
        store.set(full_key, entry, timeout or settings.UKIYO_PAGE_CACHE_TIMEOUT)
        if local:
            local_pieces.put(full_key, _local_piece(entry, tags))
    return value


def _local_piece(entry, tags):
    return _local({"generation": entry[0], "tags": list(tags), "value": entry[1]})


# The generation read when the page view started, before it read any page (None: nothing
# may be kept).
_fragments_generation = contextvars.ContextVar("ukiyo_page_fragments", default=None)
# What that view read once for its whole length (``read_once``), by name.
_view_reads = contextvars.ContextVar("ukiyo_view_reads", default=None)


@contextmanager
def keeping_fragments():
    """Let ``fragment`` keep what it renders while the block runs: the live page's own view
    (``core.sites.serve``), never a preview, whose page shows a draft under the live
    revision's number. Entered before the view reads any page: what a part is made from may
    be read anywhere in the block, and a part is kept under the generation read here, so a
    change that commits meanwhile makes it stale at once. Inside another, it changes nothing.
    """
    if _fragments_generation.get() is not None:
        yield
        return
    store = cache()
    generation = store.get(GENERATION)
    token = _fragments_generation.set(
        generation if generation is not None else current_generation()
    )
    reads = _view_reads.set({})
    try:
        yield
    finally:
        _view_reads.reset(reads)
        _fragments_generation.reset(token)


def read_once(name, read):
    """``read()``, read once in a view that keeps parts (``keeping_fragments``): its first
    call's value for the rest of the view; outside one, read at each call.

    For a value the view reads in several places as of its start, such as the content clock
    (``changes.clock``): an API answer's ``Last-Modified`` and the version of its count. It
    must be safe to read early: what a view builds after reading it is at least as new.
    """
    reads = _view_reads.get()
    if reads is None:
        return read()
    if name not in reads:
        reads[name] = read()
    return reads[name]


def keeping():
    """Whether ``fragment`` may read and keep parts now (inside ``keeping_fragments``)."""
    return _fragments_generation.get() is not None


def fragment(key, render, tags=(), keep=lambda value: True, own_tags=()):
    """``render()``: the HTML of a part of a page (or what a page is made from: its route),
    kept under ``key`` while none of ``tags``, nor of the tags declared while it rendered,
    changes. Inside ``keeping_fragments`` only; a value ``keep`` refuses is not kept.
    ``own_tags(value)``: tags that make the part stale without being declared for the page
    (what the part holds that the page does not show: renditions read in advance).

    For the costly part of a page that a page-cache miss renders again although it did not
    change (an article's body after a change of the header, the page of a logged-in reader):
    ``key`` names what it shows (the page's revision, language, host). The tags are declared
    for the page being rendered, on a hit as on a miss. A hit on this process's own copy
    (``LocalCopies``) reads nothing more when nothing changed since the copy was last found
    fresh, and the tags' values when something did; else it reads the part with them.
    """
    generation = _fragments_generation.get()
    if generation is None:
        depends_on(*tags)
        return render()
    store = cache()
    full_key = in_release(FRAGMENT_PREFIX + key)
    entry, _now = local_fragments.fresh(full_key, store, generation)
    if entry is not None:
        depends_on(*_declared_tags(entry))
        return _value_of(entry)
    entry = store.get(full_key)
    if entry is not None:
        fresh, values = _fresh_in(store, entry, also=[GENERATION])
        if fresh:
            local_fragments.put(full_key, _local(entry), values.get(GENERATION))
            depends_on(*_declared_tags(entry))
            return entry["value"]
    with collecting() as declared:
        depends_on(SITE, *tags)
        value = render()
    if not keep(value) or INCOMPLETE in declared:
        return value
    own = set(own_tags(value)) - declared if own_tags else set()
    every = declared | own
    values = store.get_many([TAG_PREFIX + tag for tag in every])
    if _settle_tags(every, generation, values) and databases.reads_are_current():
        entry = {"generation": generation, "tags": sorted(every), "value": value}
        if own:
            entry["own"] = sorted(own)
        store.set(full_key, entry, settings.UKIYO_PAGE_CACHE_TIMEOUT)
        local_fragments.put(full_key, _local(entry))
    return value


def _declared_tags(entry):
    """The tags of a kept part that are declared for the page showing it (not its own)."""
    own = entry.get("own")
    return entry["tags"] if not own else [tag for tag in entry["tags"] if tag not in own]


def _local(entry):
    # A process's own copy serves many requests (and threads): a value other than text
    # (a routed page, which a request changes as it reads it) is kept pickled, and each hit
    # gets its own.
    if isinstance(entry["value"], str):
        return entry
    return {**entry, "value": None, "pickled": pickle.dumps(entry["value"])}


def _value_of(local_entry):
    pickled = local_entry.get("pickled")
    return local_entry["value"] if pickled is None else pickle.loads(pickled)  # noqa: S301


# ---------------------------------------------------------------------------
# Invalidation
# ---------------------------------------------------------------------------


class Invalidation:
    """The tags and URLs one transaction changed, applied once after its commit."""

    MARKER = "ukiyo_page_cache_invalidation"

    def __init__(self):
        self.tags = set()
        self.urls = set()
        # What the receivers that fill it read once per transaction (``changes.invalidation``).
        self.memo = {}

    def __call__(self):
        # With a read replica, readers read the primary until the replica has this change:
        # recorded before the tags move, so that no page rendered under the new tags can come
        # from a replica without it (core.databases).
        databases.note_change()
        bump(self.tags)
        purge(self.urls)


def pending(using=DEFAULT_DB_ALIAS):
    """The invalidation the current transaction will apply after its commit, if any."""
    return scheduled_on_commit(using, Invalidation.MARKER)


def invalidate(tags=(), urls=(), using=DEFAULT_DB_ALIAS):
    """Make the pages that depend on ``tags`` stale, and purge ``urls`` from the CDN.

    The tags move at once and again after the commit; the URLs are purged after the commit,
    once per transaction for everything it changed (outside a transaction: at once).
    """
    tags, urls = set(tags), {url for url in urls if url}
    if not tags and not urls:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        batch = Invalidation()
        batch.tags, batch.urls = tags, urls
        batch()
        return
    batch = pending(using)
    if batch is None:
        batch = Invalidation()
        on_commit_once(batch, using, Invalidation.MARKER)
    batch.tags |= tags
    batch.urls |= urls
    # The writer's own connection already reads the change: pages it renders before the
    # commit (after this change, maybe between two changes) must not come from the cache.
    bump(tags)


def purging():
    """Whether a CDN is configured to purge (``WAGTAILFRONTENDCACHE``): else no URL is needed."""
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def purge(urls):
    """Ask the CDN (``WAGTAILFRONTENDCACHE``) to drop ``urls``; a CDN that fails is logged."""
    urls = sorted(urls)
    if not urls or not purging():
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    try:
        PurgeBatch(urls).purge()
    except Exception:
        # The change is committed and the server-side cache is already fresh: a CDN that
        # cannot be reached keeps its copy for s-maxage at most.
        logger.exception("Purging %d URLs from the frontend cache failed.", len(urls))


def clear():
    """Every stored page and piece stale at once (``manage.py clear_page_cache``)."""
    databases.note_change()
    bump([SITE])


# ---------------------------------------------------------------------------
# Which requests, under which key
# ---------------------------------------------------------------------------


def _messages_cookie_name():
    from django.contrib.messages.storage.cookie import CookieStorage

    return CookieStorage.cookie_name


class PageKey:
    """The cache key of a reader's request, or ``for_request`` returns None: bypass.

    The key is the scheme, the host, the language, the path, and the query parameters pages
    read (``UKIYO_PAGE_CACHE_PARAMS``), sorted, each once. Tracking parameters
    (``UKIYO_PAGE_CACHE_IGNORED_PARAMS``, and any ``utm_*``) are not part of it: no page reads
    them, and they are taken off the request before the page renders, so that the links it
    makes (``?next=`` of the login link) do not carry them. Any other parameter, or one given
    twice, bypasses the cache: the page might read it.
    """

    def __init__(self, request, language, query):
        self.language = language
        self.query = query
        raw = "|".join([request.scheme, request.get_host().lower(), language, request.path, query])
        digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
        self.key = in_release(ENTRY_PREFIX + digest)

    @classmethod
    def for_request(cls, request):
        if request.method not in ("GET", "HEAD"):
            return None
        language = reader_language(request.path_info)
        if language is None:
            return None
        rest = request.path_info[len(language) + 2 :]
        if rest.startswith(tuple(settings.UKIYO_PAGE_CACHE_EXCLUDED_PATHS)):
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or _messages_cookie_name() in cookies:
            return None
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        query = normalised_query(request.GET)
        if query is None:
            return None
        return cls(request, language, query)

    def apply_to(self, request):
        """Render the page as for the key's query: tracking parameters dropped, sorted."""
        if request.META.get("QUERY_STRING", "") != self.query:
            from django.http import QueryDict

            # A copy: the WSGI environ (and the server's access log) keep what was asked.
            request.META = {**request.META, "QUERY_STRING": self.query}
            request.GET = QueryDict(self.query)


def reader_language(path):
    """The language of a path under a language prefix (``/ja/...``), or None."""
    if not path.startswith("/"):
        return None
    code, slash, _rest = path[1:].partition("/")
    if not slash or code not in _language_codes():
        return None
    return code


def _language_codes():
    return {code for code, _name in settings.LANGUAGES}


def normalised_query(query_dict):
    """The query string of the key, or None when the request must bypass the cache."""
    read = set(settings.UKIYO_PAGE_CACHE_PARAMS)
    ignored = set(settings.UKIYO_PAGE_CACHE_IGNORED_PARAMS)
    pairs = []
    for name, values in query_dict.lists():
        if name in ignored or name.startswith("utm_"):
            continue
        if all(value == "" for value in values):
            # A form's empty choice (the search page's "Any time": ?period=) is no choice:
            # every page reads an empty parameter as a missing one.
            continue
        if name not in read or len(values) != 1:
            return None
        pairs.append((name, values[0]))
    return urlencode(sorted(pairs))


# ---------------------------------------------------------------------------
# Stored pages
# ---------------------------------------------------------------------------

# Response headers a stored page keeps; the others are set again for every answer (the
# security headers by their middleware, Cache-Control and Vary here).
# The validators of an answer that has them (feeds): a hit answers conditional requests too.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "X-Frame-Options",
    "Link",
    "ETag",
    "Last-Modified",
)


def cache_control():
    return {
        "public": True,
        "max_age": settings.UKIYO_PAGE_CACHE_MAX_AGE,
        "s_maxage": settings.UKIYO_PAGE_CACHE_S_MAXAGE,
        "stale_while_revalidate": settings.UKIYO_PAGE_CACHE_STALE_WHILE_REVALIDATE,
    }


class LocalCopies:
    """The pages this process served last, in its own memory (``UKIYO_PAGE_CACHE_LOCAL_ENTRIES``,
    least recently served dropped first).

    Whether a local copy is fresh is decided exactly as for the shared one, by the current
    values of its tags: a change made in any process makes it stale at once, and so does an
    emptied shared cache (its tags are missing). Each copy remembers the generation its tags
    were last found fresh at (read in the same round trip as the tags): while the generation
    still has that value, nothing has changed anywhere since (``bump`` moves it after setting
    tags), and a hit reads that one small value instead of every tag. After any change, the
    next hit on each copy reads its tags once more.
    """

    def __init__(self):
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The copy under ``key`` and the generation it was last found fresh at, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key, entry, checked=None):
        size = settings.UKIYO_PAGE_CACHE_LOCAL_ENTRIES
        if size <= 0:
            return
        with self._lock:
            self._entries[key] = (entry, checked)
            self._entries.move_to_end(key)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def discard(self, key):
        with self._lock:
            self._entries.pop(key, None)

    def fresh(self, key, store, generation=None):
        """(the copy under ``key`` if it is fresh, else None; the generation now, if read).

        ``generation``: the generation now, when the caller has read it already (the start of
        a page's view); else it is read here, one small value.
        """
        found = self.get(key)
        if found is None:
            return None, generation
        entry, checked = found
        if generation is None:
            generation = store.get(GENERATION)
        if checked is not None and generation == checked:
            return entry, generation
        fresh, values = _fresh_in(store, entry, also=[GENERATION])
        generation = values.get(GENERATION)
        if not fresh:
            self.discard(key)
            return None, generation
        self.put(key, entry, generation)
        return entry, generation

    def __len__(self):
        return len(self._entries)


local_copies = LocalCopies()
local_fragments = LocalCopies()
local_pieces = LocalCopies()


def _fresh_in(store, entry, also=()):
    """Whether ``entry`` is fresh, and the values of ``also`` read in the same round trip."""
    tag_keys = [TAG_PREFIX + tag for tag in entry["tags"]]
    values = store.get_many([*also, *tag_keys])
    return is_fresh(entry["generation"], [values.get(k) for k in tag_keys]), values


def lookup(page_key):
    """(entry or None, generation now): the stored page if it is fresh."""
    store = cache()
    key = page_key.key
    entry, generation = local_copies.fresh(key, store)
    if entry is not None:
        return entry, generation
    values = store.get_many([key, GENERATION])
    entry = values.get(key)
    generation = values.get(GENERATION)
    if entry is not None:
        fresh, values = _fresh_in(store, entry, also=[GENERATION])
        if fresh:
            local_copies.put(key, entry, values.get(GENERATION))
            return entry, generation
    return None, generation


def store(page_key, response, tags, generation, nonce):
    """Keep ``response`` under the key, depending on ``tags``; False if a tag changed since
    ``generation`` (the page may show something older: it is not kept)."""
    tags = {SITE, *tags}
    store_ = cache()
    values = store_.get_many([TAG_PREFIX + tag for tag in tags])
    if not _settle_tags(tags, generation, values) or not databases.reads_are_current():
        return False
    entry = {
        "generation": generation,
        "tags": sorted(tags),
        "status": response.status_code,
        "headers": [(name, response[name]) for name in KEPT_HEADERS if name in response],
        "content": response.content,
        "nonce": nonce,
        "gzip": deflate_between(response.content, nonce),
    }
    store_.set(page_key.key, entry, settings.UKIYO_PAGE_CACHE_TIMEOUT)
    local_copies.put(page_key.key, entry)
    return True


def response_from(entry, request):
    """A new response from a stored page, with this response's own CSP nonce; compressed
    already for a client that accepts gzip."""
    from django.http import HttpResponse
    from django.middleware.gzip import re_accepts_gzip
    from django.utils.cache import patch_vary_headers

    content = entry["content"]
    # The nonce the page was stored with, and this response's (the same without one).
    stored = entry["nonce"].encode("ascii") if entry["nonce"] else None
    # django-csp's lazy nonce is false until made: made here, it is named in the header.
    fresh = getattr(request, "csp_nonce", None) if stored else None
    fresh = str(fresh).encode("ascii") if fresh is not None else b""
    fresh = fresh or stored
    blocks = entry.get("gzip")
    # The test Django's GZipMiddleware makes of the header, so that both answer alike.
    accepts_gzip = re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if blocks is not None and accepts_gzip:
        segments = content.split(stored) if stored else [content]
        response = HttpResponse(gzip_between(segments, blocks, fresh), status=entry["status"])
        response["Content-Encoding"] = "gzip"
    else:
        if stored and fresh != stored:
            content = content.replace(stored, fresh)
        response = HttpResponse(content, status=entry["status"])
    if blocks is not None:
        # Either answer varies with the header, as Django's GZipMiddleware says of its own.
        patch_vary_headers(response, ("Accept-Encoding",))
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    return response


# A hit for a client that accepts gzip is compressed once, when the page is stored, not for
# every answer (about 1 ms for an article, twice what the rest of a hit costs). Only the
# nonce is new in each answer: the page is compressed in raw deflate blocks that stop at each
# nonce (a full flush: byte-aligned, and nothing after it refers back across the nonce), and
# an answer puts its own nonce between them as a stored (uncompressed) block, with the gzip
# header and trailer (CRC-32 and length of what the client unpacks) made for it. As
# ``PublicGZipMiddleware`` does (Django's BREACH padding), the header names a random file.
_GZIP_HEADER = bytes([0x1F, 0x8B, 0x08, gzip.FNAME, 0, 0, 0, 0, 0, 0xFF])
_PADDING_BYTES = 100


def deflate_between(content, nonce):
    """The deflate blocks of ``content`` between the places of its ``nonce`` (all of it
    when there is none), for ``gzip_between``."""
    segments = content.split(nonce.encode("ascii")) if nonce else [content]
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    blocks = [
        compressor.compress(segment) + compressor.flush(zlib.Z_FULL_FLUSH) for segment in segments
    ]
    blocks[-1] += compressor.flush(zlib.Z_FINISH)
    return blocks


def gzip_between(segments, blocks, nonce):
    """A gzip file of ``segments`` joined by ``nonce``, from their ``deflate_between``
    blocks."""
    padding = secrets.token_hex(secrets.randbelow(_PADDING_BYTES // 2) + 1).encode("ascii")
    parts = [_GZIP_HEADER, padding, b"\0"]
    crc = size = 0
    for number, (segment, block) in enumerate(zip(segments, blocks, strict=True)):
        if number:
            parts.append(b"\0" + struct.pack("<HH", len(nonce), len(nonce) ^ 0xFFFF) + nonce)
            crc, size = zlib.crc32(nonce, crc), size + len(nonce)
        parts.append(block)
        crc, size = zlib.crc32(segment, crc), size + len(segment)
    parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(parts)
