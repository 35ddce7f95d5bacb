"""Middleware every request goes through: health checks, the request's id and its log line,
the language of the URL, the size of a request body, which database it reads, who may cache a
page, which answers are compressed, and the security policies the browser applies to it.

What only the API needs runs as decorators of the API's own views (``api.views``), not here.
"""

import logging
import time

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseNotAllowed
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import get_resolver, get_urlconf
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.functional import empty
from django.utils.http import parse_http_date_safe

from . import databases, editing, health, logs, pagecache

security_logger = logging.getLogger("django.security.RequestDataTooBig")
request_logger = logging.getLogger("ukiyo.requests")


class HealthCheckMiddleware:
    """``/healthz`` and ``/readyz`` (``core.health``), answered before any other middleware.

    A load balancer asks by the server's address, over plain HTTP, every few seconds: the
    host check (``ALLOWED_HOSTS``), the redirect to HTTPS, the page cache, the language
    redirect, sessions, CSRF, the request body limit and the request log would each refuse,
    redirect or clutter what it asks. The answers name no host and carry nothing to keep
    (``Cache-Control: no-store``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == health.LIVENESS_PATH:
            answer = health.liveness_response
        elif path == health.READINESS_PATH:
            answer = health.readiness_response
        else:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return health.no_store(HttpResponseNotAllowed(["GET", "HEAD"]))
        response = answer()
        response["Content-Length"] = str(len(response.content))
        if request.method == "HEAD":
            response.content = b""
        return response


class RequestLogMiddleware:
    """The request's id, on its answer and on every log line written while it is served, and
    one line in the log (``ukiyo.requests``) once it is answered.

    The id is the request's ``X-Request-ID`` when a proxy or the client sent a sane one
    (``core.logs.SANE_REQUEST_ID``), else a new one; the answer carries it back in the same
    header. The line names the method, the path without its query string (query strings
    carry preview tokens and what readers searched for), the status, the milliseconds until
    the answer was ready and, when the request had read who is logged in, the user's id.
    Nothing of the headers, cookies or body is logged.

    Outside everything but the health checks, so that an answer from any middleware (a
    redirect to HTTPS, a refused host, a page from the page cache) is logged too.
    ``UKIYO_REQUEST_LOG`` off leaves the line out (the development server logs each request
    itself); the id is kept either way.
    """

    HEADER = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = logs.request_id_for(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        # Kept until the server is done with the answer (``request_finished``, which forgets
        # it), so that what Django logs after the middleware (its warning about a 404) and
        # while the answer is sent carries it too.
        logs.current_request_id.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response[self.HEADER] = request_id
        if settings.UKIYO_REQUEST_LOG and request_logger.isEnabledFor(logging.INFO):
            self.log(request, response, time.monotonic() - started)
        return response

    @staticmethod
    def log(request, response, seconds):
        duration_ms = round(seconds * 1000, 1)
        user = known_user(request)
        request_logger.info(
            "%s %s %s %s ms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )


def known_user(request):
    """The user the request was served as, if anything asked who it was; None otherwise.

    Never looks it up itself: a page from the page cache reads no session, and the log line
    must not cost it a query.
    """
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # Django's lazy user, or the API's own
    return None if wrapped is empty else wrapped


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's ``LocaleMiddleware``, for a site whose pages live under a language prefix and
    whose API, admin and files do not.

    With page URLs in ``i18n_patterns``, Django answers a 404 by redirecting to the
    language-prefixed path (``/api/v2/nope`` → ``/ja/api/v2/nope`` → an HTML 404), and marks
    every answer as varying with ``Accept-Language``. Paths outside the prefix keep their own
    answers: the API its JSON 404 and answers that are the same whatever the caller's
    language (so they cache), the admin its own pages, robots.txt and the sitemaps theirs.
    """

    UNPREFIXED = (
        "/api/",
        "/admin/",
        "/documents/",
        "/media/",
        "/static/",
        "/robots.txt",
        "/sitemap.xml",
        "/sitemap-",
        "/indexnow-key.txt",
    )

    def process_response(self, request, response):
        if request.path_info.startswith(self.UNPREFIXED):
            return response
        return super().process_response(request, response)


class PrivateResponseMiddleware:
    """Keep shared caches (CDNs, proxies) from storing a page that belongs to one visitor.

    Pages are the same for every anonymous visitor and may be cached. Three things make a
    response personal: a logged-in reader (their name, saved state, e-mail address), a CSRF
    token in a form (tied to this visitor's cookie), and a one-time message ("Your account
    has been deleted."). ``Vary: Cookie`` alone is not enough: many CDNs key on the URL only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        messages = getattr(request, "_messages", None)
        user = getattr(request, "user", None)
        if (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or (messages is not None and messages.used)
            or (user is not None and user.is_authenticated)
        ):
            patch_cache_control(response, private=True)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """Compress text answers that hold no secret: public pages and the API's JSON.

    Compressed answers over HTTPS leak, through their length, whether a guess matches text in
    them when the attacker can also put text of their own into the page (BREACH). Only an
    answer that carries a secret is worth the attack: a CSRF token, a logged-in reader's
    details. ``PrivateResponseMiddleware`` (which runs before this one on the way out) marks
    exactly those ``Cache-Control: private``; they, answers that set a cookie, and answers
    that must not be stored go uncompressed. Public pages, the same for every reader, are
    compressed (with Django's random padding on top). Files other than text (documents,
    images) are already compressed, or not worth it.
    """

    COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/javascript")

    def process_response(self, request, response):
        cache_control = response.get("Cache-Control", "").lower()
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if (
            "private" in cache_control
            or "no-store" in cache_control
            or response.cookies
            or not (
                content_type.startswith(self.COMPRESSIBLE)
                or content_type.endswith(("+json", "+xml"))
            )
        ):
            return response
        return super().process_response(request, response)


class CachedPageMiddleware:
    """Answer a reader's request from the page cache before the middleware a kept page does
    not need (``core.pagecache``; docs/configuration.md, "Caching").

    A hit reads cookies, the path and the query string, never a session, a user or a message:
    it sits just inside the security headers' middleware (its nonce is made for the
    Content-Security-Policy), outside static files, compression (a kept page is compressed
    already), sessions, the language, CSRF, authentication and messages. On a miss it leaves
    what it looked up to ``PageCacheMiddleware``, further in, which renders and keeps the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not pagecache.enabled():
            return self.get_response(request)
        page_key = pagecache.PageKey.for_request(request)
        generation = None
        if page_key is not None:
            entry, generation = pagecache.lookup(page_key)
            if entry is not None:
                return PageCacheMiddleware.hit(request, entry, page_key)
        setattr(request, PageCacheMiddleware.LOOKED_UP, (page_key, generation))
        return self.get_response(request)


class PageCacheMiddleware:
    """Anonymous readers' pages from the cache (``core.pagecache``; docs/configuration.md,
    "Caching"): renders and keeps what ``CachedPageMiddleware`` (further out) did not find,
    and answers hits itself without it.

    Sits inside the session, language, authentication and message middleware (it reads
    their cookies, not their state) and outside ``PrivateResponseMiddleware``, so that a page
    that middleware marks private is never kept. Only a 200 to a GET of a Wagtail page or a
    search (``UKIYO_PAGE_CACHE_VIEWS``) that sets no cookie, uses no CSRF token or message and
    is not private is kept. A page from the cache gets the nonce of its own response (the
    Content-Security-Policy middleware, further out, names it in the header).

    ``X-Page-Cache`` says what happened to a reader's page: ``hit``, ``miss`` (rendered, and
    kept if it could be) or ``bypass`` (rendered, never kept: a logged-in reader, a message,
    an unknown query parameter...). Pages from the cache, and pages it keeps, carry the
    Cache-Control for shared caches (``UKIYO_PAGE_CACHE_*``) and ``Vary: Cookie``; an error
    page of a reader's path gets ``never_cache`` unless its view said otherwise.
    """

    HEADER = "X-Page-Cache"
    # (key or None, generation read or None): what ``CachedPageMiddleware`` looked up.
    LOOKED_UP = "ukiyo_page_cache_looked_up"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not pagecache.enabled():
            return self.get_response(request)
        looked_up = getattr(request, self.LOOKED_UP, None)
        if looked_up is not None:
            page_key, generation = looked_up
        else:
            page_key, generation = pagecache.PageKey.for_request(request), None
            if page_key is not None:
                entry, generation = pagecache.lookup(page_key)
                if entry is not None:
                    return self.hit(request, entry, page_key)
        if page_key is None:
            response = self.get_response(request)
            if pagecache.reader_language(request.path_info) is not None:
                response[self.HEADER] = "bypass"
                self.never_cache_errors(response)
            return response

        generation = pagecache.current_generation(generation)
        page_key.apply_to(request)
        with pagecache.collecting() as tags:
            response = self.get_response(request)
        response[self.HEADER] = "miss"
        if self.storable(request, response) and pagecache.INCOMPLETE not in tags:
            nonce = getattr(request, "_csp_nonce", None)
            pagecache.store(page_key, response, tags, generation, nonce)
            self.public(response)
        else:
            response[self.HEADER] = "bypass"
            self.never_cache_errors(response)
        return response

    @classmethod
    def hit(cls, request, entry, page_key):
        response = cls.not_modified(request, pagecache.response_from(entry, request))
        # As LocaleMiddleware says of a page it renders (further in than a hit may go).
        response.headers.setdefault("Content-Language", page_key.language)
        cls.public(response)
        response[cls.HEADER] = "hit"
        return response

    @staticmethod
    def not_modified(request, response):
        """A ``304`` for a conditional request the kept answer's validators (ETag,
        Last-Modified: a feed's) say is up to date; else the answer."""
        etag, last_modified = response.get("ETag"), response.get("Last-Modified")
        if not (etag or last_modified):
            return response
        modified = parse_http_date_safe(last_modified) if last_modified else None
        return get_conditional_response(
            request, etag=etag, last_modified=modified, response=response
        )

    @staticmethod
    def public(response):
        patch_cache_control(response, **pagecache.cache_control())
        patch_vary_headers(response, ("Cookie",))

    @staticmethod
    def never_cache_errors(response):
        if response.status_code >= 400 and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)

    @staticmethod
    def storable(request, response):
        if request.method != "GET" or response.status_code != 200 or response.streaming:
            return False
        match = request.resolver_match
        if match is None or match.view_name not in settings.UKIYO_PAGE_CACHE_VIEWS:
            return False
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store", "no-cache")):
            return False
        messages = getattr(request, "_messages", None)
        if messages is not None and (messages.used or messages.added_new):
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        session = getattr(request, "session", None)
        return not (session is not None and session.modified)


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than the site reads, before anything reads it.

    Django limits the form fields it reads (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams any
    number of files of any size to disk first, even to a form that takes none. Public pages
    take no files: their bodies may not exceed ``DATA_UPLOAD_MAX_MEMORY_SIZE``. The admin
    takes uploads: its bodies may not exceed ``UKIYO_MAX_REQUEST_BODY`` (an upload at its
    limit, plus the form); a smaller file over the upload limit reaches the upload form, which
    says what the limit is. The answer is the site's 400 handler given ``RequestDataTooBig``
    (``cms.views.bad_request``: a 413 page in the reader's language), as when Django itself
    finds a form too large, and also under DEBUG. The API answers its own requests in its own
    error shapes, so its paths are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith("/api/"):
            if path.startswith("/admin/"):
                limit = settings.UKIYO_MAX_REQUEST_BODY
            else:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and declared_length(request) > limit:
                exception = RequestDataTooBig(
                    f"Request body of {declared_length(request)} bytes exceeds {limit}."
                )
                security_logger.warning(str(exception), extra={"request": request})
                handler = get_resolver(get_urlconf()).resolve_error_handler(400)
                return handler(request, exception)
        return self.get_response(request)


class ReadReplicaMiddleware:
    """With a read replica (``DATABASE_REPLICA_URL``), which database the request reads
    (``core.databases``): decided before the view, once the user is known, and undone when
    the response is done.

    A GET that failed because the replica did (it went away, or cancelled a query that
    conflicted with its replay) is answered again from the primary: readers get the page, not
    a 500. A request that wrote marks the browser to read the primary for a while
    (``UKIYO_REPLICA_STICKY_SECONDS``), so that the next page shows what it wrote.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not databases.configured():
            return self.get_response(request)
        reads = databases.Reads(allowed=databases.may_read_replica(request))
        with databases.routing(reads):
            response = self.get_response(request)
        if databases.failed_on_replica(request, response, reads):
            reads = databases.Reads(allowed=False)
            with databases.routing(reads):
                response = self.get_response(request)
        databases.remember_write(request, response, reads)
        return response


class EditorBackgroundMiddleware:
    """Mark the page editor's background requests (autosave, the preview panel's checks) for
    the blocks' validation: a half-written section does not pause autosave (``core.editing``).

    The mark is set once the view is known and cleared when the response is done, so nothing
    after this request (another request served by the same thread) sees it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = editing.mark_background(False)
        try:
            return self.get_response(request)
        finally:
            editing.unmark(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and editing.is_background(request, match.view_name):
            editing.mark_background(True)
        return None


def declared_length(request):
    """The body's length as the client declared it (0 when missing or malformed)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with one policy per part of the site.

    Public pages get ``CONTENT_SECURITY_POLICY`` (or its report-only twin): scripts need the
    response's nonce. The admin gets ``UKIYO_CSP_ADMIN_DIRECTIVES``: Wagtail's admin has
    inline scripts of its own, which carry no nonce. The API's answers (JSON, never run or
    shown as a page) get ``UKIYO_CSP_API_DIRECTIVES``, which allows nothing; its HTML
    documentation page is a page like the others. Each goes in the header that the site's
    mode names (enforced, or report-only), and a view's own ``csp_*`` decorator still wins.
    """

    ADMIN = "/admin/"
    API = "/api/"

    def area_directives(self, request, response):
        path = request.path_info
        if path.startswith(self.ADMIN):
            return settings.UKIYO_CSP_ADMIN_DIRECTIVES
        content_type = response.get("Content-Type", "")
        if path.startswith(self.API) and not content_type.startswith("text/html"):
            return settings.UKIYO_CSP_API_DIRECTIVES
        return None

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        mode = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
        if parts.config is None and getattr(settings, mode, None):
            directives = self.area_directives(request, response)
            if directives is not None:
                parts.config = directives
        if getattr(request, "is_dummy", False):
            # A page rendered for the admin's preview (Wagtail's dummy request, run through
            # the middleware): the preview panel shows it in a frame of the admin, and the
            # Checks panel reads its text from there.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts


class PermissionsPolicyMiddleware:
    """The ``Permissions-Policy`` header from ``UKIYO_PERMISSIONS_POLICY``.

    The setting maps a feature to the origins allowed to use it: ``"self"``, ``"*"`` or an
    origin (``https://player.example``); an empty list denies it to the page and its frames.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def build(policy):
        def origin(value):
            return value if value in {"self", "*"} else f'"{value}"'

        return ", ".join(
            f"{feature}=({' '.join(origin(value) for value in allowed)})"
            for feature, allowed in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        header = self.build(getattr(settings, "UKIYO_PERMISSIONS_POLICY", {}))
        if header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = header
        return response
