"""Rich-text links to pages, resolved for a whole page body at once.

Wagtail resolves the page links of each rich-text block on its own: an article whose twenty
paragraphs each link to a page costs some sixty queries. Inside ``resolved_page_links`` the
links of a whole body are looked up beforehand in two queries, in the active language, exactly
as Wagtail would resolve them (``page.localized``: the live translation in the active language,
else the linked page itself).
"""

import contextvars
from contextlib import contextmanager

from django.utils.translation import get_language
from wagtail.models import Page

from . import pagecache

_resolved_hrefs = contextvars.ContextVar("ukiyo_resolved_page_links", default=None)


@contextmanager
def resolved_page_links(page_ids):
    page_ids = {int(page_id) for page_id in page_ids}
    if not page_ids:
        yield
        return
    pages = list(Page.objects.filter(pk__in=page_ids).select_related("locale"))
    # The page cache: a link follows its page's URL and the page's live translations.
    pagecache.depends_on(*(pagecache.page_tag(page.translation_key) for page in pages))
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
    token = _resolved_hrefs.set(hrefs)
    try:
        yield
    finally:
        _resolved_hrefs.reset(token)


def resolved_hrefs():
    """The links resolved by the enclosing ``resolved_page_links``, by page id, or None."""
    return _resolved_hrefs.get()
