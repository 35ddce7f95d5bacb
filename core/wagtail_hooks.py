from django.templatetags.static import static
from django.utils.html import escape, format_html
from wagtail import hooks
from wagtail.contrib.settings.registry import register_setting
from wagtail.rich_text.pages import PageLinkHandler

from .models import FooterLinks
from .rich_text import resolved_hrefs

# Settings → Footer links: the legal and contact pages every page's footer links to.
register_setting(FooterLinks, icon="list-ul")


class ResolvedPageLinkHandler(PageLinkHandler):
    """Wagtail's page link handler, reading links resolved beforehand when there are any
    (see ``core.rich_text.resolved_page_links``)."""

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
