"""RSS 2.0 and Atom feeds of a language's articles: all of them, one category's, or one
author's (docs/readers.md, "Feeds").

Built on Django's syndication framework. A feed lists the newest ``ITEMS`` live articles
anonymous readers may see, in the request's language and site only, read with a fixed number
of queries (the articles with their category and lead image, their authors, their tags). Each
item has a GUID that survives a change of title or slug (a ``tag:`` URI of the page's id),
the summary, the authors, the category and tags, the lead image as an enclosure, and the
dates readers see: published, and updated when the article says so. With
``FEEDS_FULL_CONTENT`` on, each item also carries the whole article as HTML (RSS
``content:encoded``, Atom ``content``), its links and images absolute.

The page cache keeps feeds like pages (their views are in ``UKIYO_PAGE_CACHE_VIEWS``), under
the tags of what they show: the language's lists, the category, the author.
"""

import hashlib
import mimetypes
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import pagecache
from core.chrome import site_chrome
from core.sites import in_site_tree
from core.visibility import public
from news.blocks import renditions_together
from news.models import ArticleAuthor, ArticlePage, Author, Category, author_path
from news.structured_data import category_url

# Items per feed: a day of a busy newsroom; readers poll every few minutes.
ITEMS = 30

# A URL attribute of the article's HTML that starts at the site's root (``/media/…``, a page).
_ROOT_RELATIVE = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')
_SRCSET = re.compile(r'\bsrcset="([^"]*)"')


def absolute_urls(html, request):
    """``html`` with its root-relative links, images and ``srcset`` candidates made absolute:
    a feed reader shows an item away from the site, often without a base URL."""

    def candidates(match):
        parts = []
        for candidate in match.group(1).split(","):
            url, _space, size = candidate.strip().partition(" ")
            if url.startswith("/") and not url.startswith("//"):
                url = request.build_absolute_uri(url)
            parts.append(f"{url} {size}".strip())
        return f'srcset="{", ".join(parts)}"'

    html = _ROOT_RELATIVE.sub(
        lambda match: f'{match.group(1)}="{request.build_absolute_uri(match.group(2))}"', html
    )
    return _SRCSET.sub(candidates, html)


class FullContentRss(Rss201rev2Feed):
    """RSS 2.0 with each item's whole article in ``content:encoded`` (the RSS content module)."""

    def rss_attributes(self):
        attributes = super().rss_attributes()
        attributes["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class FullContentAtom(Atom1Feed):
    """Atom with each entry's whole article in ``content`` (HTML) beside its summary."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def read_whole(articles):
    """What the whole articles show, for all of them together: their corrections in one
    query, and the renditions of their lead images and figures in one (each body's figures
    are still read with that body: a query per article that has any)."""
    prefetch_related_objects(articles, "corrections")
    with renditions_together(*(article.lead_image for article in articles)):
        for article in articles:
            for _block in article.body:  # converts every block of the body at once
                pass


class ArticlesFeed(Feed):
    """The newest articles of the request's language; ``kind`` narrows them to a category or
    an author (by slug, in that language)."""

    feed_type = FullContentRss

    def __init__(self, kind=None):
        super().__init__()
        self.kind = kind

    # -- the feed --------------------------------------------------------------------------

    def get_object(self, request, slug=None):
        self.request = request
        self.chrome = site_chrome(request)
        if self.chrome.site is None:
            raise Http404("No site answers this host.")
        language = get_language()
        pagecache.depends_on(pagecache.list_tag(language))
        if self.kind is None:
            return None
        model = Category if self.kind == "category" else Author
        found = model.objects.filter(slug=slug, locale__language_code=language).first()
        if found is None:
            raise Http404(f"No such {self.kind}.")
        pagecache.depends_on(pagecache.object_tag(model._meta.label, found.pk))
        return found

    def title(self, obj):
        if obj is None:
            return self.chrome.site_name
        return f"{obj.name} | {self.chrome.site_name}"

    def link(self, obj):
        # The language's All Articles, else its home page (chrome Links: their URLs known).
        language = get_language()
        page = self.chrome.article_indexes.get(language) or self.chrome.home_pages.get(language)
        url = (page.url if page else None) or "/"
        if isinstance(obj, Author):
            return author_path(obj.slug, language)
        return category_url(url, obj) if isinstance(obj, Category) else url

    def description(self, obj):
        if isinstance(obj, Category):
            return obj.description or _("The latest articles in %(name)s.") % {"name": obj.name}
        if isinstance(obj, Author):
            return _("The latest articles by %(name)s.") % {"name": obj.name}
        return _("The latest articles of %(site)s.") % {"site": self.chrome.site_name}

    @staticmethod
    def full_content():
        return settings.UKIYO_FEEDS_FULL_CONTENT

    def items(self, obj):
        articles = public(
            ArticlePage.objects.live().filter(
                in_site_tree(self.chrome.site), locale__language_code=get_language()
            )
        )
        if isinstance(obj, Category):
            articles = articles.filter(category=obj)
        elif isinstance(obj, Author):
            articles = articles.filter(article_authors__author=obj)
        if not self.full_content():
            articles = articles.defer("body", "references")
        items = list(
            articles.select_related("category", "lead_image")
            .prefetch_related(
                Prefetch(
                    "article_authors",
                    queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
                ),
                "tags",
            )
            .order_by("-display_date", "-pk")[:ITEMS]
        )
        if self.full_content():
            read_whole(items)
        return items

    # -- each article ------------------------------------------------------------------------

    def item_title(self, item):
        return item.title

    def item_extra_kwargs(self, item):
        if not self.full_content():
            return {}
        html = render_to_string("discovery/feed_content.html", {"page": item}, self.request)
        return {"content": absolute_urls(html, self.request)}

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(self.request)

    def item_guid(self, item):
        # The page's id, not its URL: a new title or slug is not a new article to a reader.
        return f"tag:{self.chrome.site.hostname},2025:page:{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item):
        names = [link.author.name for link in item.article_authors.all()]
        return ", ".join(names) or None

    def item_categories(self, item):
        names = [item.category.name] if item.category_id else []
        return names + [tag.name for tag in item.tags.all()]

    def item_pubdate(self, item):
        return item.display_date

    def item_updateddate(self, item):
        # Its update date or latest correction (Atom's <updated>: feed readers show it again).
        return item.last_modified or item.display_date

    def item_enclosures(self, item):
        image = item.lead_image
        if image is None:
            return []
        url = self.request.build_absolute_uri(image.file.url)
        mime = mimetypes.guess_type(image.file.name)[0] or "application/octet-stream"
        return [Enclosure(url, str(image.file_size or 0), mime)]


class AtomArticlesFeed(ArticlesFeed):
    feed_type = FullContentAtom

    def subtitle(self, obj):
        return self.description(obj)


def feed_view(feed_class, kind=None):
    """A view of a feed: a new feed object per request (it keeps the request's site and
    chrome), the language's ``Content-Language``, and a weak ETag (the same items whether
    sent compressed or not) that answers a conditional request with ``304``."""

    @require_safe
    def view(request, slug=None):
        if slug is not None and "\x00" in slug:
            raise Http404(f"No such {kind}.")
        feed = feed_class(kind)
        response = feed(request, slug=slug) if kind is not None else feed(request)
        response["Content-Language"] = get_language()
        etag = 'W/"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        last_modified = response.get("Last-Modified")
        modified = parse_http_date_safe(last_modified) if last_modified else None
        response["ETag"] = etag
        return get_conditional_response(
            request, etag=etag, last_modified=modified, response=response
        )

    return view
