from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from compat.wagtail_pages import publish_action_holding_dates

from .models import Author, Category


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Categories")
    list_display = ["name", "slug", "locale"]
    list_filter = ["locale"]
    search_fields = ["name"]
    ordering = ["name"]


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = _("Authors")
    list_display = ["name", "role", "locale"]
    list_filter = ["locale"]
    search_fields = ["name"]
    ordering = ["name"]


class NewsroomViewSetGroup(SnippetViewSetGroup):
    """Categories and authors under one "Newsroom" menu item."""

    items = (CategoryViewSet, AuthorViewSet)
    menu_icon = "doc-full-inverse"
    menu_label = _("Newsroom")
    menu_name = "newsroom"
    menu_order = 250


register_snippet(NewsroomViewSetGroup)


@hooks.register("register_actions")
def publish_at_the_dates(registry):
    """The v3 API publishes through the action registered for ``Page``: the same rule as
    ``ArticlePage.publish`` (see ``compat.wagtail_pages.publish_action_holding_dates``)."""
    registry.register(Page, publish_action_holding_dates())
