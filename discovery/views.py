"""``/robots.txt`` and the sitemaps, outside the language prefixes (docs/configuration.md,
"Robots and sitemaps")."""

import gzip

from django.conf import settings
from django.http import Http404, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from core.sites import request_site

from . import indexnow, sitemaps

XML = "application/xml; charset=utf-8"


@require_safe
def robots_txt(request):
    """What crawlers may read: everything but the paths of ``UKIYO_ROBOTS_DISALLOW`` (a
    ``{language}`` in one is repeated for each language), and where the sitemaps are; or
    nothing at all with ``ROBOTS_DISALLOW_ALL`` (a staging site)."""
    lines = ["User-agent: *"]
    if settings.UKIYO_ROBOTS_DISALLOW_ALL:
        lines.append("Disallow: /")
    else:
        for path in settings.UKIYO_ROBOTS_DISALLOW:
            if "{language}" in path:
                codes = sitemaps.languages()
                lines += [f"Disallow: {path.format(language=code)}" for code in codes]
            else:
                lines.append(f"Disallow: {path}")
        lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}"]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


def answer(request, kept, max_age):
    """A sitemap's answer from ``sitemaps.kept``: compressed already for a client that
    accepts gzip (crawlers do), conditional (ETag, Last-Modified), cacheable by CDNs."""
    data, modified, version = kept
    if data is None:
        raise Http404("No such sitemap.")
    etag = f'W/"{version}"'  # the same text, compressed or not
    response = get_conditional_response(request, etag=etag, last_modified=modified.timestamp())
    if response is None:
        if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(data, content_type=XML)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(data), content_type=XML)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    patch_vary_headers(response, ("Accept-Encoding",))
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def the_site(request):
    site = request_site(request)
    if site is None:
        raise Http404("No site answers this host.")
    return site


@require_safe
def sitemap_index(request):
    site = the_site(request)
    kept = sitemaps.kept(request, site, "index", lambda: sitemaps.render_index(request, site))
    return answer(request, kept, max_age=600)


@require_safe
def sitemap(request, language, number):
    number = int(number)
    if language not in sitemaps.languages():
        raise Http404("No such sitemap.")
    site = the_site(request)

    def build():
        entries = sitemaps.entries(request, site, language, number)
        return None if entries is None else sitemaps.render_urlset(entries, request)

    kept = sitemaps.kept(request, site, f"{language}:{number}", build)
    return answer(request, kept, max_age=600)


@require_safe
def authors_sitemap(request, language):
    if language not in sitemaps.languages():
        raise Http404("No such sitemap.")
    site = the_site(request)

    def build():
        entries = sitemaps.author_entries(request, site, language)
        return None if entries is None else sitemaps.render_urlset(entries, request)

    kept = sitemaps.kept(request, site, f"{language}:authors", build)
    return answer(request, kept, max_age=600)


@require_safe
def news_sitemap(request):
    site = the_site(request)
    now = timezone.now()
    # Articles leave the window as time passes, with no change to the content: the minute
    # is part of the key, and a minute's copy is not kept much longer.
    kept = sitemaps.kept(
        request,
        site,
        f"news:{now:%Y%m%d%H%M}",
        lambda: sitemaps.render_news(request, site, now),
        timeout=120,
    )
    return answer(request, kept, max_age=60)


@require_safe
def indexnow_key(request):
    """The IndexNow key, which proves that the pings for this host come from its owner."""
    key = indexnow.key()
    if not key:
        raise Http404("IndexNow is not configured.")
    response = HttpResponse(key, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response
