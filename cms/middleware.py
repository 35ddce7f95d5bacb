import re

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date
from wagtail.models import Page

from cms import content_clock


class APILocaleMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware``, adapted to URLs outside the language prefix.

    - With page URLs in ``i18n_patterns``, ``LocaleMiddleware`` answers a 404 by redirecting to
      the language-prefixed path (``/api/v2/nope`` → ``/ja/api/v2/nope`` → an HTML 404). API
      clients must get the API's own JSON 404 instead, and the admin its own pages.
    - API output depends on the content's language, never on the caller's ``Accept-Language``
      or language cookie: the same URL gives the same JSON to everyone, so it caches. A v3
      page detail view runs in that page's language, so its rich-text links resolve to pages of
      its own language (v2 does the same in its serializer, for every page it returns).
    """

    UNPREFIXED = ("/api/", "/admin/", "/documents/", "/media/", "/static/")
    V3_PAGE_DETAIL = "/api/v3/pages/"

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        page_id = view_kwargs.get("page_id") or view_kwargs.get("pk")
        if not page_id or not request.path_info.startswith(self.V3_PAGE_DETAIL):
            return
        if not str(page_id).isdecimal():
            return  # not a page id: the view answers it (400)
        language = (
            Page.objects.filter(pk=page_id).values_list("locale__language_code", flat=True).first()
        )
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language

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


class ReaderPathLookupMiddleware:
    """Lets ``/api/v3/pages/find/?html_path=`` take reader paths (``/ja/articles/…``).

    See ``cms.api.find_by_reader_path``; v2 does the same in its pages endpoint.
    """

    V3_FIND = "/api/v3/pages/find/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.V3_FIND and request.method in ("GET", "HEAD"):
            from cms.api import find_by_reader_path

            response = find_by_reader_path(request)
            if response is not None:
                return response
        return self.get_response(request)


# What an anonymous API read is, by path (first match), for its lifetime in
# ``UKIYO_API_CACHE_LIFETIMES``. Anything else is "content".
API_RESOURCE_KINDS = [
    (re.compile(r"^/api/v[23]/changes/"), "feed"),
    (re.compile(r"^/api/v3/(openapi\.json|docs/|schema/)"), "schema"),
    (re.compile(r"^/api/v[23]/(categories|authors|images|documents|sites)/"), "reference"),
]


def api_resource_kind(path):
    return next((kind for pattern, kind in API_RESOURCE_KINDS if pattern.match(path)), "content")


class APICachingMiddleware:
    """HTTP caching for the API's reads: ETag and 304, and Cache-Control that fits who asks.

    - Anonymous reads (live, public content, the same JSON for everyone) may be cached:
      ``max-age`` for browsers and apps, ``s-maxage`` for shared caches (CDNs), by kind of
      resource (``UKIYO_API_CACHE_LIFETIMES``): pages and listings briefly, so corrections
      travel fast; categories, authors and images longer; the OpenAPI document for an hour;
      the change feed not at all without revalidating (``no-cache``: a client that syncs
      must see every change).
    - A request with a token (``Authorization``) or asking for drafts (``version=draft``)
      may see what others must not: ``private, no-store``. So may any answer its view
      already marked private or no-store (previews): it is left as it is.
    - Errors are not kept (``no-store``); redirects (``find/``) briefly, like the content.
    - Every read gets an ``ETag`` (a hash of the body); ``If-None-Match`` with the same tag
      answers ``304 Not Modified`` without the body. ``Vary: Authorization`` keeps caches from
      mixing token holders' and anonymous answers.
    - Anonymous reads also get ``Last-Modified``: the last change to any content
      (``cms.content_clock``), so ``If-Modified-Since`` answers 304 only when nothing the API
      serves has changed since. ``If-None-Match`` wins when a client sends both.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith("/api/") or request.method not in ("GET", "HEAD"):
            return response
        patch_vary_headers(response, ["Authorization"])
        personal = "HTTP_AUTHORIZATION" in request.META or request.GET.get("version") == "draft"
        if personal or response.status_code >= 400:
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
        if response.status_code == 200 and not response.streaming:
            set_response_etag(response)
            # The feed's answer also changes with time alone (a change it held back settles),
            # which the clock does not see: the feed revalidates by ETag only.
            changed_at = content_clock.last_modified() if kind != "feed" else None
            if changed_at is not None and not response.has_header("Last-Modified"):
                response["Last-Modified"] = http_date(changed_at.timestamp())
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=changed_at and int(changed_at.timestamp()),
                response=response,
            )
        return response
