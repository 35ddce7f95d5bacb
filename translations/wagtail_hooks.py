from urllib.parse import urlencode

from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from . import unpublishing, urls
from .views import can_translate_page


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("translations/", include(urls, namespace="translations"))]


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    # Menu items are built once per process: the label must be lazy.
    return MenuItem(
        gettext_lazy("Translations"),
        reverse("translations:dashboard"),
        name="translation-dashboard",
        icon_name="wagtail-localize-language",
        order=250,  # after Pages (100), before Images (300)
    )


def translate_everywhere_button(page, user, next_url=None):
    if page.is_root() or not can_translate_page(user, page):
        return
    url = reverse("translations:translate_page", args=[page.alias_of_id or page.pk])
    if next_url:
        url += "?" + urlencode({"next": next_url})
    yield Button(
        _("Translate into every language"),
        url,
        icon_name="wagtail-localize-language",
        priority=61,  # next to wagtail-localize's "Translate this page" (60)
    )


@hooks.register("register_page_header_buttons")
def page_header_buttons(page, user, view_name=None, next_url=None):
    yield from translate_everywhere_button(page, user, next_url)


@hooks.register("register_page_listing_more_buttons")
def page_listing_more_buttons(page, user, next_url=None):
    yield from translate_everywhere_button(page, user, next_url)


@hooks.register("after_unpublish_page")
def unpublish_chosen_translations(request, page):
    unpublishing.unpublish_translations(request, page)
