"""What each change makes stale in the page cache, and which URLs the CDN must drop.

Every change a reader can see is already recorded as a ``ContentChange`` row, by the receiver
of the signal that announces it (``changes.signals``: publishing, unpublishing, deleting and
moving pages, descendants included, with their old and new URLs; view restrictions; snippets).
The receiver here reads each new row and hands its tags and URLs to ``core.pagecache``, which
applies them once per transaction, after the commit. A few changes no row records have their
own receivers below: a live page saved outside publishing (imports, scripts), the footer
links, sites, locales, and edits of images, documents and tags.

Tags (``core.pagecache``):

- a page: ``page:<translation_key>`` (the page in every language: their language menus),
  ``list:<language>`` (its language's home, All Articles and category pages, search), and
  ``chrome`` when it is a home page, an All Articles page or a footer page.
- a snippet: its model's ``page_cache_tags`` (``news.Category``: the articles that show it and
  its language's lists; ``news.Author``: its articles; ``consent.ConsentTexts``: the banner of
  its language); a snippet model without them makes every page stale (``site``).
- sites, locales, footer links, image, document and tag edits: ``site`` or ``chrome``.

URLs purged from the CDN: the page in every language it is live in, its old URL after a move
or a deletion, and the lists of its language (home, All Articles and its category's first
page); for a snippet, the pages that show it and the lists; for a site-wide change, the home
and All Articles pages of every language. Other pages (list pages after the first, search
results) reach a CDN within its ``s-maxage``.
"""

from urllib.parse import urljoin

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import translation
from taggit.models import TagBase
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import Locale, Page, Site

from core import pagecache
from core.chrome import article_list_types
from core.models import FooterLinks

from .models import ContentChange

# Saves of a live page that change nothing a reader sees: a new draft, a lock, the tree.
DRAFT_FIELDS = {
    "latest_revision",
    "latest_revision_created_at",
    "has_unpublished_changes",
    "draft_title",
    "locked",
    "locked_at",
    "locked_by",
    "numchild",
    "wagtail_admin_comments",
}
# Saves of an image or a document that change nothing a page shows (its file's metadata).
FILE_METADATA_FIELDS = {"file_hash", "file_size", "width", "height"}


# ---------------------------------------------------------------------------
# Which pages and URLs
# ---------------------------------------------------------------------------


def chrome_keys():
    """Translation keys of the pages the site chrome links: homes, All Articles, footer.

    Read once per transaction (a section moved with its hundred pages).
    """
    batch = pagecache.pending()
    if batch is not None and "chrome_keys" in batch.memo:
        return batch.memo["chrome_keys"]
    keys = read_chrome_keys()
    batch = pagecache.pending()
    if batch is not None:
        batch.memo["chrome_keys"] = keys
    return keys


def read_chrome_keys():
    keys = set(Site.objects.values_list("root_page__translation_key", flat=True))
    chosen = set()
    for footer in FooterLinks.objects.all():
        chosen.update(getattr(footer, f"{name}_id") for name in FooterLinks.LINKS)
    chosen.discard(None)
    if chosen:
        keys.update(Page.objects.filter(pk__in=chosen).values_list("translation_key", flat=True))
    for model in article_list_types():
        keys.update(model.objects.values_list("translation_key", flat=True))
    return keys


def full_urls(pages):
    return [url for url in (page.get_full_url() for page in pages) if url]


# The feeds of a language (discovery.feed_urls, by URL name) and its corrections page: lists
# of its articles too; so are an author's page and feeds.
LANGUAGE_FEEDS = ("feed_rss", "feed_atom", "corrections")
CATEGORY_FEEDS = ("category_feed_rss", "category_feed_atom")
AUTHOR_PAGES = ("author", "author_feed_rss", "author_feed_atom")


def feed_urls(home, category_slugs=(), author_slugs=()):
    """The full URLs of the feeds of ``home``'s language and site (those of the categories
    too), of its corrections page, and of the pages and feeds of the authors."""
    home_url = home.get_full_url()
    if not home_url:
        return []
    with translation.override(home.locale.language_code):
        paths = [reverse(name) for name in LANGUAGE_FEEDS] + [
            reverse(name, kwargs={"slug": slug})
            for slugs, names in ((category_slugs, CATEGORY_FEEDS), (author_slugs, AUTHOR_PAGES))
            for slug in slugs
            for name in names
        ]
    return [urljoin(home_url, path) for path in paths]


def list_urls(languages=None, category_slugs=(), author_slugs=()):
    """The first pages of the lists: home and All Articles (and its category filters), and
    the feeds (and the authors' pages)."""
    homes = Page.objects.live().filter(
        translation_key__in=Site.objects.values("root_page__translation_key")
    )
    if languages is not None:
        homes = homes.filter(locale__language_code__in=languages)
    homes = list(homes.select_related("locale"))
    urls = full_urls(homes)
    for home in homes:
        urls.extend(feed_urls(home, category_slugs, author_slugs))
    for model in article_list_types():
        indexes = model.objects.live()
        if languages is not None:
            indexes = indexes.filter(locale__language_code__in=languages)
        for index_url in full_urls(indexes):
            urls.append(index_url)
            urls.extend(f"{index_url}?category={slug}" for slug in category_slugs)
    return urls


def translation_urls(translation_key):
    return full_urls(Page.objects.live().filter(translation_key=translation_key))


def category_slugs(page_id):
    """The category of an article (any page type with a ``category``), for its list URL."""
    page = Page.objects.filter(pk=page_id).first()
    category = getattr(page.specific if page else None, "category", None)
    return [category.slug] if category is not None and getattr(category, "slug", "") else []


def author_slugs(page_id):
    """The authors of an article (any page type with ``authors``), for their pages' URLs."""
    page = Page.objects.filter(pk=page_id).first()
    authors = getattr(page.specific if page else None, "authors", None) or ()
    return [author.slug for author in authors if getattr(author, "slug", "")]


def site_wide(tags):
    """A change every page shows: ``tags`` stale, and the lists of every language purged."""
    pagecache.invalidate(tags, list_urls() if pagecache.purging() else ())


# ---------------------------------------------------------------------------
# Changes recorded in the change feed
# ---------------------------------------------------------------------------


def on_change_recorded(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created:
        return
    if instance.event.startswith("page."):
        page_changed(instance)
    elif instance.event.startswith("snippet."):
        snippet_changed(instance)


def page_changed(change):
    key, language, data = change.translation_key, change.locale, change.data or {}
    tags = {pagecache.page_tag(key), pagecache.list_tag(language)}
    languages = [language]
    if key in chrome_keys():
        # Every page's header or footer links it: every language's lists, the other pages
        # within s-maxage.
        tags.add(pagecache.CHROME)
        languages = None
    urls = set()
    if pagecache.purging():
        urls = {data.get("html_url"), data.get("previous_html_url"), *translation_urls(key)}
        urls.update(
            list_urls(languages, category_slugs(change.object_id), author_slugs(change.object_id))
        )
    pagecache.invalidate(tags, urls)


def snippet_changed(change):
    try:
        model = apps.get_model(change.object_type)
    except LookupError:
        model = None
    templates = getattr(model, "page_cache_tags", None) or (pagecache.SITE,)
    label = change.object_type.lower()
    tags = {
        template.format(label=label, pk=change.object_id, language=change.locale)
        for template in templates
    }
    if pagecache.SITE in tags:
        site_wide(tags)
        return
    urls = set()
    pages_showing = getattr(model, "pages_showing", None)
    if pagecache.purging() and pages_showing is not None:
        urls.update(full_urls(pages_showing(change.object_id)))
    if pagecache.purging() and getattr(model, "has_reader_page", False) and change.locale:
        # A snippet with a page of its own (an author's): that page and its feeds.
        slug = model.objects.filter(pk=change.object_id).values_list("slug", flat=True).first()
        if slug:
            urls.update(list_urls([change.locale], author_slugs=[slug]))
    if pagecache.purging() and any(tag.startswith(("list:", "consent:")) for tag in tags):
        urls.update(list_urls([change.locale] if change.locale else None))
    pagecache.invalidate(tags, urls)


# ---------------------------------------------------------------------------
# Changes the feed does not record
# ---------------------------------------------------------------------------


def on_page_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """A live page saved outside publishing (a script, an import, ``add_child``): the
    publishing paths are recorded as changes and come here too, once per transaction."""
    if raw or not isinstance(instance, Page):
        return
    if created and instance.depth == 2:
        # A new root page, or a translation of one, live or not: the site's tree paths
        # (``core.sites.tree_paths``) read by the API's site filter now include it.
        pagecache.invalidate([pagecache.page_tag(instance.translation_key)])
    if not instance.live:
        return
    if update_fields is not None and set(update_fields) <= DRAFT_FIELDS:
        return
    language = instance.locale.language_code if instance.locale_id else ""
    tags = {pagecache.page_tag(instance.translation_key), pagecache.list_tag(language)}
    if (
        instance.depth <= 2
        or getattr(instance, "is_article_list", False)
        or instance.translation_key in chrome_keys()
    ):
        tags.add(pagecache.CHROME)
    pagecache.invalidate(tags, [instance.get_full_url()] if pagecache.purging() else ())


def on_chrome_changed(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    if created and not any(getattr(instance, f"{name}_id") for name in FooterLinks.LINKS):
        # Made empty by the first page that reads them (``for_site``): nothing changes.
        return
    batch = pagecache.pending()
    if batch is not None:
        batch.memo.pop("chrome_keys", None)  # other footer pages from now on
    site_wide([pagecache.CHROME])


def on_site_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        site_wide([pagecache.SITE])


def on_file_changed(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """An image, document or tag edited or deleted: pages show its renditions, alt text,
    file name or name. A new one is shown nowhere yet."""
    if raw or created:
        return
    if update_fields is not None and set(update_fields) <= FILE_METADATA_FIELDS:
        return
    site_wide([pagecache.SITE])


def connect():
    uid = "ukiyo-pagecache-"
    post_save.connect(on_change_recorded, sender=ContentChange, dispatch_uid=uid + "change")
    post_save.connect(on_page_saved, dispatch_uid=uid + "page-saved")
    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(on_chrome_changed, sender=FooterLinks, dispatch_uid=uid + "footer-" + name)
        for model in (Site, Locale):
            signal.connect(
                on_site_changed, sender=model, dispatch_uid=f"{uid}{model.__name__}-{name}"
            )
        for model in apps.get_models():
            if issubclass(model, AbstractImage | AbstractDocument | TagBase):
                signal.connect(
                    on_file_changed, sender=model, dispatch_uid=f"{uid}{model._meta.label}-{name}"
                )
