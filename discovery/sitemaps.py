"""The sitemaps: every live public page of a site, one language per sitemap, with the
``hreflang`` alternates its ``<head>`` names; and the Google News sitemap.

A sitemap is read by crawlers, rarely, but may list tens of thousands of pages: it is built
with a constant number of queries (the pages of one sitemap, their translations, their lead
images), written as text without a template engine, and kept in the cache under the content
clock (``changes.clock``), which moves after every commit that could change it.

Alternates are exactly those of the page's ``<head>`` (``cms/templates/base.html``,
``language_links``): every live public translation of the page, itself included, in the
order of ``LANGUAGES``, and ``x-default`` for the newsroom's source language
(``LANGUAGE_CODE``) when that translation is live.
"""

import datetime
import gzip
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Count, Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from changes.clock import changed_at
from core import pagecache
from core.sites import in_site_tree
from core.visibility import public
from news.models import ArticleAuthor, ArticlePage, Author, author_path

# URLs per sitemap file. The protocol allows 50,000 and 50 MB; with nine alternates a URL
# takes 1 to 3 KB (Thai and Hindi paths are percent-encoded), so a sitemap of 50,000 would
# pass 50 MB. 5,000 keeps each file under about 15 MB and its first build near a second.
PAGE_SIZE = 5_000
# Google News reads articles of the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = datetime.timedelta(days=2)
NEWS_LIMIT = 1_000
# Google's language codes where they differ from ukiyo's (Simplified Chinese).
NEWS_LANGUAGE_CODES = {"zh-hans": "zh-cn", "zh-hant": "zh-tw"}

XMLNS = (
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
)
NEWS_XMLNS = (
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
)
# The characters Django's ``reverse`` leaves unquoted in a path, and a path made of them only.
PATH_SAFE = "!$&'()*+,;=/~:@"
PLAIN_PATH = re.compile(r"[A-Za-z0-9_.\-!$&'()*+,;=/~:@]*")


def languages():
    return [code for code, _name in settings.LANGUAGES]


def w3c(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00") if moment else ""


class PageURLs:
    """The URL of a page of ``site`` from its ``url_path`` and language, as Wagtail's
    ``Page.get_url(request)`` gives it for a request to that site (``get_url_parts``): the
    site's root path the page is under, the one of its own language first, and that root's
    language prefix (``/ja/``)."""

    def __init__(self, site):
        self.roots = [root for root in Site.get_site_root_paths() if root.site_id == site.pk]
        self.prefixes = {}
        for root in self.roots:
            if root.language_code not in self.prefixes:
                with translation.override(root.language_code):
                    self.prefixes[root.language_code] = reverse("wagtail_serve", args=("",))

    def url(self, url_path, language_code):
        """The page's path on the site, or None when it is not under one of its roots."""
        found = None
        for root in self.roots:
            if url_path.startswith(root.root_path):
                if root.language_code == language_code:
                    found = root
                    break
                found = found or root
        if found is None:
            return None
        rest = url_path[len(found.root_path) :]
        if not PLAIN_PATH.fullmatch(rest):
            rest = quote(rest, safe=PATH_SAFE)
        return self.prefixes[found.language_code] + rest


@dataclass
class Entry:
    page_id: int
    location: str
    lastmod: datetime.datetime | None
    alternates: list = field(default_factory=list)  # (hreflang, absolute URL)
    image: str = ""


def site_pages(site, language_code):
    """The live public pages of ``site`` in one language, in tree order."""
    return public(
        Page.objects.live().filter(in_site_tree(site), locale__language_code=language_code)
    ).order_by("path")


def last_modified(prefix=""):
    """When a page (``prefix``: through a relation) was last published or saved."""
    fields = ("last_published_at", "first_published_at", "latest_revision_created_at")
    return Coalesce(*(prefix + name for name in fields))


def index_entries(site):
    """``(language code, number of sitemaps, last modified)`` for each language with pages."""
    rows = (
        public(Page.objects.live().filter(in_site_tree(site)))
        .values("locale__language_code")
        .annotate(pages=Count("pk"), modified=Max(last_modified()))
        .order_by()
    )
    found = {row["locale__language_code"]: row for row in rows}
    entries = []
    for code in languages():
        row = found.get(code)
        if row:
            entries.append((code, -(-row["pages"] // PAGE_SIZE), row["modified"]))
    return entries


def entries(request, site, language_code, number):
    """The entries of sitemap ``number`` (from 1) of a language: None past the last one."""
    rows = list(
        site_pages(site, language_code).values_list(
            "pk", "url_path", "translation_key", "locale__language_code", last_modified()
        )[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    )
    if not rows and number > 1:
        return None
    urls = PageURLs(site)
    origin = request.build_absolute_uri("/")[:-1]
    translations = {}
    elsewhere = []
    keys = {row[2] for row in rows}
    found = public(Page.objects.live().filter(translation_key__in=keys)).values_list(
        "pk", "url_path", "translation_key", "locale__language_code"
    )
    for pk, url_path, key, code in found:
        path = urls.url(url_path, code)
        if path is None:
            elsewhere.append(pk)  # published in another site: Wagtail writes its full URL
        translations.setdefault(key, {})[code] = (pk, path)
    other_sites = {}
    if elsewhere:
        for page in Page.objects.filter(pk__in=elsewhere).select_related("locale"):
            other_sites[page.pk] = page.get_url(request)
    images = lead_images(row[0] for row in rows)

    order = languages()
    result = []
    for pk, _url_path, key, code, modified in rows:
        versions = translations[key]  # the page itself is one of its live public versions
        path = versions[code][1]
        if path is None:
            continue
        entry = Entry(pk, origin + path, modified, image=images.get(pk, ""))
        for other in order:
            if other not in versions:
                continue
            other_pk, other_path = versions[other]
            url = origin + other_path if other_path else other_sites.get(other_pk)
            if not url:
                continue
            if url.startswith("/"):
                url = origin + url
            entry.alternates.append((other, url))
            if other == settings.LANGUAGE_CODE:
                entry.alternates.append(("x-default", url))
        result.append(entry)
    return result


def lead_images(page_ids):
    """``{page id: absolute-able URL of the lead image's original file}`` for articles."""
    storage = get_image_model()._meta.get_field("file").storage
    rows = ArticlePage.objects.filter(pk__in=list(page_ids), lead_image__isnull=False)
    return {pk: storage.url(name) for pk, name in rows.values_list("pk", "lead_image__file")}


def author_entries(request, site, language_code):
    """The pages of a language's authors (``/<lang>/authors/<slug>/``), each with the author's
    translations as alternates, as its ``<head>`` names them, and the date of their latest
    article of the site in that language: None when the language has no author."""
    authors = list(
        Author.objects.filter(locale__language_code=language_code)
        .order_by("slug")
        .values_list("pk", "slug", "translation_key")
    )
    if not authors:
        return None
    articles = public(
        ArticlePage.objects.live().filter(in_site_tree(site), locale__language_code=language_code)
    )
    modified = dict(
        ArticleAuthor.objects.filter(page__in=articles.values("pk"))
        .values("author_id")
        .annotate(modified=Max(last_modified(prefix="page__")))
        .values_list("author_id", "modified")
        .order_by()
    )
    versions = {}
    for key, code in Author.objects.filter(
        translation_key__in=[key for _pk, _slug, key in authors]
    ).values_list("translation_key", "locale__language_code"):
        versions.setdefault(key, set()).add(code)
    origin = request.build_absolute_uri("/")[:-1]
    result = []
    for pk, slug, key in authors:
        entry = Entry(pk, origin + author_path(slug, language_code), modified.get(pk))
        for other in languages():
            if other in versions[key]:
                url = origin + author_path(slug, other)
                entry.alternates.append((other, url))
                if other == settings.LANGUAGE_CODE:
                    entry.alternates.append(("x-default", url))
        result.append(entry)
    return result


def render_urlset(entries, request):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<urlset {XMLNS}>\n"]
    for entry in entries:
        parts.append(f"<url><loc>{escape(entry.location)}</loc>")
        if entry.lastmod:
            parts.append(f"<lastmod>{w3c(entry.lastmod)}</lastmod>")
        for hreflang, url in entry.alternates:
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{hreflang}" href={quoteattr(url)}/>'
            )
        if entry.image:
            image = request.build_absolute_uri(entry.image)
            parts.append(f"<image:image><image:loc>{escape(image)}</image:loc></image:image>")
        parts.append("</url>\n")
    parts.append("</urlset>\n")
    return "".join(parts)


def render_index(request, site):
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
    ]
    for code, count, modified in index_entries(site):
        for number in range(1, count + 1):
            location = request.build_absolute_uri(
                reverse("sitemap", kwargs={"language": code, "number": number})
            )
            parts.append(f"<sitemap><loc>{escape(location)}</loc>")
            if modified:
                parts.append(f"<lastmod>{w3c(modified)}</lastmod>")
            parts.append("</sitemap>\n")
    authored = set(
        Author.objects.values_list("locale__language_code", flat=True).distinct().order_by()
    )
    for code in languages():
        if code in authored:
            location = request.build_absolute_uri(
                reverse("authors_sitemap", kwargs={"language": code})
            )
            parts.append(f"<sitemap><loc>{escape(location)}</loc></sitemap>\n")
    news = request.build_absolute_uri(reverse("news_sitemap"))
    parts.append(f"<sitemap><loc>{escape(news)}</loc></sitemap>\n")
    parts.append("</sitemapindex>\n")
    return "".join(parts)


def news_articles(site, now):
    """Articles of ``site`` in every language shown as published in the last two days,
    newest first, at most ``NEWS_LIMIT``."""
    return (
        public(ArticlePage.objects.live().filter(in_site_tree(site)))
        .filter(display_date__gt=now - NEWS_WINDOW, display_date__lte=now)
        .order_by("-display_date", "-pk")
        .values_list("url_path", "locale__language_code", "title", "display_date")[:NEWS_LIMIT]
    )


def render_news(request, site, now):
    urls = PageURLs(site)
    name = escape(site.site_name or settings.WAGTAIL_SITE_NAME)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<urlset {NEWS_XMLNS}>\n"]
    for url_path, code, title, shown in news_articles(site, now):
        path = urls.url(url_path, code)
        if path is None:
            continue
        language = NEWS_LANGUAGE_CODES.get(code, code)
        parts.append(
            f"<url><loc>{escape(request.build_absolute_uri(path))}</loc><news:news>"
            f"<news:publication><news:name>{name}</news:name>"
            f"<news:language>{language}</news:language></news:publication>"
            f"<news:publication_date>{w3c(shown)}</news:publication_date>"
            f"<news:title>{escape(title)}</news:title></news:news></url>\n"
        )
    parts.append("</urlset>\n")
    return "".join(parts)


def kept(request, site, name, build, timeout=None):
    """``(gzip file or None, clock, version)``: the text ``build()`` makes of a sitemap (None
    for no such sitemap), compressed and kept in the cache under the content clock and the
    host the request names (its URLs are absolute); the clock's time; a name of this version
    for its ETag."""
    clock = changed_at()
    moved = clock.isoformat() if clock else ""
    key = f"sitemap:{site.pk}:{request.get_host()}:{request.scheme}:{name}:{moved}"

    def compressed():
        text = build()
        return None if text is None else gzip.compress(text.encode(), 6, mtime=0)

    data = pagecache.cached(key, (), compressed, timeout)
    version = hashlib.sha256(key.encode()).hexdigest()[:32]
    return data, clock or timezone.now(), version
