from django.http import JsonResponse
from django.templatetags.static import static
from django.utils.html import escape, format_html
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.contrib.settings.registry import register_setting
from wagtail.rich_text.pages import PageLinkHandler

from . import editing, pagecache
from .models import FooterLinks
from .rich_text import resolved_hrefs

# Settings → Footer links: the legal and contact pages every page's footer links to.
register_setting(FooterLinks, icon="list-ul")


class ResolvedPageLinkHandler(PageLinkHandler):
    """Wagtail's page link handler, reading links resolved beforehand when there are any
    (see ``core.rich_text.resolved_page_links``)."""

    @classmethod
    def get_many(cls, attrs_list):
        pages = super().get_many(attrs_list)
        # The page cache: the page that shows this link changes with the linked page's URL
        # and its translations.
        pagecache.depends_on(
            *(pagecache.page_tag(page.translation_key) for page in pages if page is not None)
        )
        return pages

    @classmethod
    def expand_db_attributes_many(cls, attrs_list):
        hrefs = resolved_hrefs()
        if hrefs is None or any(str(attrs.get("id")) not in hrefs for attrs in attrs_list):
            return super().expand_db_attributes_many(attrs_list)
        return [f'<a href="{escape(hrefs[str(attrs["id"])])}">' for attrs in attrs_list]


@hooks.register("register_rich_text_features", order=100)
def resolve_page_links_in_bulk(features):
    """Replaces Wagtail's page link handler (registered at order 0) with ukiyo's."""
    features.register_link_type(ResolvedPageLinkHandler)


@hooks.register("insert_global_admin_js")
def date_pickers_off_the_buttons():
    # The admin's date pickers never cover a dialog's Save button or the save bar.
    return format_html('<script src="{}"></script>', static("core/date-pickers.js"))


@hooks.register("insert_editor_js")
def editor_js():
    """The editor's additions: no autosave of a new page, the character count in Checks."""
    return format_html('<script src="{}" defer></script>', static("core/editor.js"))


@hooks.register("before_create_page")
def refuse_autosave_of_a_new_page(request, parent_page, page_class):
    """A new page is created when the editor saves it, never by autosave.

    Wagtail's autosave would create the page at the first pause in typing, so that an
    abandoned form leaves a draft in the page tree whose slug blocks the next attempt. The
    editor's script turns autosave off on the create view (``core/static/core/editor.js``);
    this refuses the request of a page that still sends one (an old tab, a script that did
    not load).
    """
    if editing.is_autosave(request):
        return JsonResponse(
            {
                "success": False,
                "error_code": "autosave_disabled",
                "error_message": gettext(
                    "A new page is not saved automatically: save it as a draft or publish it."
                ),
            },
            status=400,
        )
    return None
