"""Rich-text links to pages, resolved for a whole page body at once.

Wagtail resolves the page links of each rich-text block on its own: an article whose twenty
paragraphs each link to a page costs some sixty queries. Inside ``resolved_page_links`` the
links of a whole body are looked up in two queries when the first is shown, in the active
language, exactly as Wagtail would resolve them (``page.localized``: the live translation in
the active language, else the linked page itself).
"""

import contextvars
from contextlib import contextmanager

from django.utils.translation import get_language
from wagtail.models import Page

from . import pagecache

_resolved_hrefs = contextvars.ContextVar("ukiyo_resolved_page_links", default=None)


class _Resolved:
    """The hrefs of a body's page links, looked up when a link is first shown."""

    def __init__(self, page_ids):
        self._page_ids = page_ids
        self._hrefs = None
        self._tags = ()

    def hrefs(self):
        if self._hrefs is None:
            page_ids = self._page_ids() if callable(self._page_ids) else self._page_ids
            self._hrefs, self._tags = _look_up({int(page_id) for page_id in page_ids})
        # The page cache: a link follows its page's URL and the page's live translations
        # (declared for each part of the page that shows a link).
        pagecache.depends_on(*self._tags)
        return self._hrefs


def _look_up(page_ids):
    if not page_ids:
        return {}, ()
    pages = list(Page.objects.filter(pk__in=page_ids).select_related("locale"))
    translations = {
        page.translation_key: page
        for page in Page.objects.live()
        .filter(
            translation_key__in=[page.translation_key for page in pages],
            locale__language_code=get_language(),
        )
        .select_related("locale")
    }
    hrefs = {str(page.pk): (translations.get(page.translation_key) or page).url for page in pages}
    return hrefs, tuple(pagecache.page_tag(page.translation_key) for page in pages)


@contextmanager
def resolved_page_links(page_ids):
    """Inside the block, rich text links to ``page_ids`` (or to those a callable returns, asked
    when the first link is shown: a part of the page kept by the page cache shows none) are
    resolved in two queries in all."""
    token = _resolved_hrefs.set(_Resolved(page_ids))
    try:
        yield
    finally:
        _resolved_hrefs.reset(token)


def resolved_hrefs():
    """The links resolved by the enclosing ``resolved_page_links``, by page id, or None."""
    resolved = _resolved_hrefs.get()
    return resolved.hrefs() if resolved is not None else None
