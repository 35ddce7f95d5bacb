"""The article list (admin menu "Articles"): every article the user may see in the page
explorer, in every language, with its publication date, category, authors, language, status
and the state of its translations."""

import django_filters
from django.db.models import Exists, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BaseColumn, Column
from wagtail.admin.ui.tables.pages import (
    BulkActionsColumn,
    PageStatusColumn,
    PageTitleColumn,
)
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.admin.widgets.button import Button, ButtonWithDropdown
from wagtail.models import Locale

from news.models import ArticleAuthor, ArticlePage, Author, Category
from translations.access import editable_pages
from translations.dashboard import LIVE, RESTRICTED, Cell, build_rows
from translations.wagtail_hooks import translate_everywhere_button

from .menu import PagesMenuItem
from .schedule import DRAFT, PUBLISHED, SCHEDULED, STATES, approved_schedules


def language_choices():
    return [(locale.language_code, str(locale)) for locale in Locale.objects.order_by("pk")]


def snippet_choices(model):
    """Slugs and names in the default language: a slug is the same in every language."""
    return lambda: list(
        model.objects.filter(locale=Locale.get_default())
        .order_by("name")
        .values_list("slug", "name")
    )


class ArticleFilterSet(WagtailFilterSet):
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=language_choices,
        empty_label=_("Every language"),
        method="filter_language",
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=snippet_choices(Category),
        empty_label=_("Every category"),
        method="filter_category",
    )
    author = django_filters.ChoiceFilter(
        label=_("Author"),
        choices=snippet_choices(Author),
        empty_label=_("Every author"),
        method="filter_author",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=list(STATES.items()),
        empty_label=_("Every status"),
        method="filter_status",
    )

    class Meta:
        model = ArticlePage
        fields = []

    # Every filter is a ``pk__in`` subquery: a search runs on the filtered queryset, and the
    # search backend filters only on a page's own indexed fields.
    @staticmethod
    def where(queryset, *conditions, **lookups):
        return queryset.filter(
            pk__in=ArticlePage.objects.filter(*conditions, **lookups).values("pk")
        )

    def filter_language(self, queryset, name, value):
        return self.where(queryset, locale__language_code=value)

    def filter_category(self, queryset, name, value):
        return self.where(queryset, category__slug=value)

    def filter_author(self, queryset, name, value):
        return self.where(queryset, article_authors__author__slug=value)

    def filter_status(self, queryset, name, value):
        scheduled = Exists(approved_schedules())
        if value == SCHEDULED:
            return self.where(queryset, scheduled)
        if value == PUBLISHED:
            return self.where(queryset, ~scheduled, live=True)
        if value == DRAFT:
            return self.where(queryset, ~scheduled, live=False)
        return queryset


class ArticleTitleColumn(PageTitleColumn):
    """The title, linked to the editor, with the actions every article has.

    Wagtail's page listings ask each app's listing-button hooks for every row, and
    wagtail-localize's ask the database twice per row; here the actions are this list's own, so
    the number of queries does not grow with the rows. Translating is one click away: the
    Translations column and the editor's header.
    """

    cell_template_name = "newsroom/tables/title_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        title = instance.get_admin_display_title()
        next_url = parent_context.get("actions_next_url")
        buttons = []
        if context["page_perms"].can_edit():
            url = reverse("wagtailadmin_pages:edit", args=[instance.pk])
            buttons.append(Button(_("Edit"), url, icon_name="edit", priority=10))
        if instance.live and (url := instance.get_url(request=parent_context.get("request"))):
            buttons.append(
                Button(
                    _("View live"),
                    url,
                    icon_name="doc-empty",
                    priority=20,
                    attrs={"rel": "noreferrer", "target": "_blank"},
                )
            )
        if context["page_perms"].can_view_revisions():
            url = reverse("wagtailadmin_pages:history", args=[instance.pk])
            buttons.append(Button(_("History"), url, icon_name="history", priority=30))
        buttons.extend(translate_everywhere_button(instance, context["request"].user, next_url))
        context["more_button"] = ButtonWithDropdown(
            icon_name="dots-horizontal",
            attrs={"aria-label": _("More options for '%(title)s'") % {"title": title}},
            classname="w-dropdown__toggle--icon",
            buttons=buttons,
        )
        return context


class DisplayDateColumn(Column):
    """The publication date readers see, in the admin user's time zone."""

    def get_value(self, instance):
        return date_format(timezone.localtime(instance.display_date), "SHORT_DATETIME_FORMAT")


class CategoryColumn(Column):
    def get_value(self, instance):
        return instance.category.name if instance.category else ""


class AuthorsColumn(Column):
    def get_value(self, instance):
        return ", ".join(link.author.name for link in instance.article_authors.all())


class LanguageColumn(Column):
    def get_value(self, instance):
        return str(instance.locale)


class TranslationsColumn(BaseColumn):
    """How many languages the article is live in, and each language's state as a marker.

    The states are the Translations dashboard's (``translations.dashboard``), for the same
    rights: a language the user may not see says nothing.
    """

    cell_template_name = "newsroom/tables/translations_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        row = getattr(instance, "translation_row", None)
        cells = row.cells if row else []
        known = [cell for cell in cells if cell.state != RESTRICTED]
        context.update(
            cells=cells,
            live=sum(1 for cell in known if cell.state == LIVE),
            # Of the languages the user may know about: a language outside their rights is
            # neither live nor not.
            total=len(known),
        )
        return context


class ArticleIndexView(IndexView):
    template_name = "newsroom/articles_index.html"
    # The language has a column of its own.
    show_locale_labels = False

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(pk__in=ArticlePage.objects.filter(alias_of__isnull=True).values("pk"))
            .select_related("category", "locale")
            .prefetch_related(
                Prefetch(
                    "article_authors",
                    queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
                )
            )
        )

    def get_table(self, object_list):
        articles = list(object_list)
        locales = list(Locale.objects.order_by("pk"))
        editable = editable_pages(self.request.user)
        rows = build_rows(articles, locales, editable)
        if editable is not None:
            restrict_to_the_dashboards_rights(rows, editable)
        for article, row in zip(articles, rows, strict=True):
            article.translation_row = row
        return super().get_table(articles)


def restrict_to_the_dashboards_rights(rows, editable):
    """Cells the Translations dashboard would not show this user, restricted.

    ``build_rows`` shows every language of an article the user may edit: on the dashboard,
    that article is the source. Here a row may be a translation: whoever may edit the source
    article sees every language, as on the dashboard; an editor of a translation alone sees
    only the languages they may edit (one query).
    """
    keys = {row.article.translation_key for row in rows}
    source = Locale.get_default()
    may_edit = set(
        editable.filter(translation_key__in=keys, alias_of__isnull=True).values_list(
            "pk", "translation_key", "locale_id"
        )
    )
    pages = {pk for pk, _key, _locale in may_edit}
    sources = {key for _pk, key, locale in may_edit if locale == source.pk}
    for row in rows:
        if row.article.translation_key in sources:
            continue
        row.cells = [
            cell if cell.page_id in pages else Cell(cell.locale, RESTRICTED) for cell in row.cells
        ]


class ArticleListingViewSet(PageListingViewSet):
    model = ArticlePage
    name = "articles"
    icon = "doc-full"
    menu_label = _("Articles")
    menu_order = 110  # after Pages (100)
    add_to_admin_menu = True
    index_view_class = ArticleIndexView
    filterset_class = ArticleFilterSet
    ordering = "-display_date"
    columns = [
        BulkActionsColumn("bulk_actions"),
        ArticleTitleColumn("title", label=_("Title"), sort_key="title", classname="title"),
        DisplayDateColumn("display_date", label=_("Publication date"), sort_key="display_date"),
        CategoryColumn("category", label=_("Category")),
        AuthorsColumn("authors", label=_("Authors")),
        LanguageColumn("language", label=_("Language")),
        PageStatusColumn("status", label=_("Status"), sort_key="live"),
        TranslationsColumn("translations", label=_("Translations"), width="18%"),
    ]

    @cached_property
    def menu_item_class(self):
        return PagesMenuItem
