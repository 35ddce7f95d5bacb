"""What the API's answers about a page are made of, kept between answers: the API's
counterpart of the reader pages' kept parts (``{% kept %}`` and the kept routes of
``core.sites``).

A kept answer (``api.kept``) serves one URL to callers without a token. Everything else
builds its answer: a token holder's read (a frontend that sends its token with every
request, as server-side renderers do), another URL of the same page (v2 and v3, ``fields``,
``?locale=``), and the first read after something the answer shows changed. Two parts of
such an answer are kept, in the page cache's store (``core.pagecache.fragment``), stale
exactly when what they show changes, as the reader pages' parts are:

- **The page as read** (``api.access.read_page``): its row as its type's
  ``detail_queryset`` reads it, its authors, tags and corrections, its lead and social
  images' renditions, its parent and live translations, and whether a view restriction keeps
  out callers without a login. Kept under the page's id, while none of the tags its answer
  declares (``api.kept.page_shown``) changes. Who may read it is decided for each request:
  without a token, from the kept page (live, public, of the requested site) without a
  query; with one, by the query Wagtail's rule makes for that caller.
- **A StreamField's representation** (``stream_representation``): the body and the
  references, as both APIs represent them, once per revision of the live page, API,
  rich-text format, host and language, while none of the tags declared as it was made (the
  pages its links point to, the site's images) nor the page's own changes. Only for a page
  read live (``api.access.read_page``, or marked with ``read_live``): a draft, a preview or
  a revision is represented every time, as its HTML is rendered every time.

The article cards are kept alike, one per article (``news.api.articles.cards_of``).

Both parts are kept only inside ``core.pagecache.keeping_fragments``, which ``api.kept``
enters for every read: a part is kept under the generation read before the view read
anything, so a change that commits while it is made makes it stale at once. This module
imports no model: the read schemas, which the page models' blocks import, use it.
"""

import hashlib

from django.utils.translation import get_language

from core import pagecache

# Set on a page read from its live row: its StreamFields' representations may be kept.
READ_LIVE = "ukiyo_read_live"


def read_live(page):
    """Mark ``page`` as read from its live row (its fields are the live revision's)."""
    setattr(page, READ_LIVE, True)
    return page


def stream_representation(page, name, value, context, api):
    """``value.stream_block.get_api_representation(value, context)``: StreamField ``name`` of
    ``page`` as API ``api`` ("v2", "v3") represents it, kept when ``page`` was read live."""

    def represent():
        return value.stream_block.get_api_representation(value, context)

    request = context.get("request")
    if not getattr(page, READ_LIVE, False) or request is None:
        return represent()

    def made():
        # The page's own tags too: a live page saved without a new revision moves them.
        pagecache.depends_on(*page.page_cache_tags())
        return represent()

    identity = "\x1f".join(
        str(part)
        for part in (
            api,
            request.scheme,
            request.get_host(),
            get_language(),
            request.GET.get("rich_text_format", ""),
            page._meta.label_lower,
            name,
            page.pk,
            page.live_revision_id,
        )
    )
    key = "api-stream:" + hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
    return pagecache.fragment(key, made)
