from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .articles import ArticleListingViewSet
from .menu import PagesMenuItem, may_explore_pages
from .views import CalendarView


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("calendar/", CalendarView.as_view(), name="newsroom_calendar")]


@hooks.register("register_admin_menu_item")
def register_calendar_menu_item():
    # Menu items are built once per process: the label must be lazy.
    return PagesMenuItem(
        gettext_lazy("Calendar"),
        reverse("newsroom_calendar"),
        name="calendar",
        icon_name="calendar",
        order=105,  # after Pages (100), before Articles (110)
    )


@hooks.register("register_admin_viewset")
def register_article_listing():
    return ArticleListingViewSet()


class NewsroomPanel(Component):
    """The dashboard's way to the calendar and the article list."""

    name = "newsroom"
    order = 50  # above Wagtail's own panels (100 and up)

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="w-panel" aria-label="{label}"><p>'
            '<a class="button button-secondary" href="{calendar_url}">{calendar}</a> '
            '<a class="button button-secondary" href="{articles_url}">{articles}</a>'
            "</p></section>",
            label=_("Newsroom"),
            calendar_url=reverse("newsroom_calendar"),
            calendar=_("Editorial calendar"),
            articles_url=reverse("articles:index"),
            articles=_("Articles"),
        )


@hooks.register("construct_homepage_panels")
def add_newsroom_panel(request, panels):
    if may_explore_pages(request.user):
        panels.append(NewsroomPanel())
