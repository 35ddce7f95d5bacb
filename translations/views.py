from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale, Page
from wagtail_localize.machine_translators import get_machine_translator

from news.models import ArticlePage

from . import review
from .access import editable_pages
from .dashboard import FILTERS, MISSING, OUTDATED, RESTRICTED, build_rows, with_state
from .forms import TranslatePagesForm, site_locales
from .operations import (
    CREATED,
    FAILED,
    NOT_EDITABLE,
    SKIPPED,
    UP_TO_DATE,
    UPDATED,
    PageTranslator,
)

SUBMIT_PERMISSION = "wagtail_localize.submit_translation"


def can_translate_page(user, page):
    """Whoever may submit translations and edit the page may translate it everywhere."""
    return user.has_perm(SUBMIT_PERMISSION) and page.permissions_for_user(user).can_edit()


def language_list(outcomes):
    names = sorted({str(locale) for _page, locale, _detail in outcomes})
    return ", ".join(names)


class TranslatePageView(WagtailAdminTemplateMixin, FormView):
    """Translate a page, or a section of the tree, into every other language at once."""

    template_name = "translations/translate_page.html"
    page_title = gettext_lazy("Translate into every language")
    header_icon = "wagtail-localize-language"
    breadcrumbs_items = []

    def dispatch(self, request, page_id):
        page = get_object_or_404(Page, pk=page_id)
        if page.is_root():
            raise Http404
        # An alias mirrors another page: translating means translating that page.
        self.page = (page.alias_of or page).specific
        if not can_translate_page(request.user, self.page):
            raise PermissionDenied
        self.machine_translator = get_machine_translator()
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        preselect = None
        if code := self.request.GET.get("locale"):
            preselect = Locale.objects.filter(language_code=code).first()
        return {
            **kwargs,
            "page": self.page,
            "machine_translator": self.machine_translator,
            "preselect": preselect,
        }

    def get_form_class(self):
        return TranslatePagesForm

    def get_back_url(self):
        return get_valid_next_url_from_request(self.request) or reverse(
            "wagtailadmin_explore", args=[self.page.get_parent().pk]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=self.page,
            source_locale=self.page.locale,
            next_url=get_valid_next_url_from_request(self.request),
            back_url=self.get_back_url(),
            **kwargs,
        )

    def form_valid(self, form):
        use_machine = form.cleaned_data.get("machine_translate", False)
        translator = PageTranslator(
            form.cleaned_data["locales"],
            user=self.request.user,
            machine_translator=self.machine_translator if use_machine else None,
        )
        with transaction.atomic():
            report = translator.translate_tree(
                self.page, include_subpages=form.cleaned_data.get("include_subpages", False)
            )
        self.send_messages(report)
        return redirect(self.get_back_url())

    def send_messages(self, report):
        request = self.request
        title = self.page.get_admin_display_title()
        done = report.count(CREATED) + report.count(UPDATED) + report.count(UP_TO_DATE)
        if done:
            messages.success(
                request,
                _(
                    "'%(title)s': %(created)s, %(updated)s, %(up_to_date)s. "
                    "They stay drafts until a translator publishes them."
                )
                % {
                    "title": title,
                    "created": ngettext(
                        "%(count)d translation created",
                        "%(count)d translations created",
                        report.count(CREATED),
                    )
                    % {"count": report.count(CREATED)},
                    "updated": ngettext(
                        "%(count)d updated from the source",
                        "%(count)d updated from the source",
                        report.count(UPDATED),
                    )
                    % {"count": report.count(UPDATED)},
                    "up_to_date": ngettext(
                        "%(count)d already up to date",
                        "%(count)d already up to date",
                        report.count(UP_TO_DATE),
                    )
                    % {"count": report.count(UP_TO_DATE)},
                },
            )
        if report.machine_translated_segments:
            messages.info(
                request,
                ngettext(
                    "%(count)d segment machine-translated with %(translator)s.",
                    "%(count)d segments machine-translated with %(translator)s.",
                    report.machine_translated_segments,
                )
                % {
                    "count": report.machine_translated_segments,
                    "translator": self.machine_translator.display_name,
                },
            )
        if report.count(SKIPPED):
            messages.warning(
                request,
                ngettext(
                    "%(count)d page left alone (%(languages)s): a page in that language "
                    "exists and is not a synced translation of this one.",
                    "%(count)d pages left alone (%(languages)s): a page in that language "
                    "exists and is not a synced translation of this one.",
                    report.count(SKIPPED),
                )
                % {
                    "count": report.count(SKIPPED),
                    "languages": language_list(report.outcomes[SKIPPED]),
                },
            )
        if report.count(NOT_EDITABLE):
            messages.warning(
                request,
                ngettext(
                    "%(count)d translation left alone (%(languages)s): you cannot edit it.",
                    "%(count)d translations left alone (%(languages)s): you cannot edit them.",
                    report.count(NOT_EDITABLE),
                )
                % {
                    "count": report.count(NOT_EDITABLE),
                    "languages": language_list(report.outcomes[NOT_EDITABLE]),
                },
            )
        for page, locale, detail in report.outcomes[FAILED]:
            messages.error(
                request,
                _("The %(language)s translation of '%(title)s' could not be saved: %(error)s")
                % {"language": locale, "title": page, "error": detail},
            )
        for page, locale, detail in report.machine_translation_errors:
            messages.warning(
                request,
                _(
                    "Machine translation of '%(title)s' into %(language)s failed (%(error)s); "
                    "its draft keeps the source text to translate."
                )
                % {"language": locale, "title": page, "error": detail},
            )
        if report.not_editable:
            messages.warning(
                request,
                ngettext(
                    "%(count)d subpage was not translated: you cannot edit it.",
                    "%(count)d subpages were not translated: you cannot edit them.",
                    len(report.not_editable),
                )
                % {"count": len(report.not_editable)},
            )


class ArticlePaginator(Paginator):
    """Wagtail's pagination template reads these; the dashboard pages through articles."""

    verbose_name = ArticlePage._meta.verbose_name
    verbose_name_plural = ArticlePage._meta.verbose_name_plural

    @property
    def items_count_label(self):
        name = self.verbose_name if self.count == 1 else self.verbose_name_plural
        return f"{self.count} {name}"


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    """Every source-language article in every other language, with where to act on it.

    A user sees the articles they may edit, with every language's state, and the articles of
    which they may edit a translation in a language shown, with only those languages' states
    (see ``build_rows``): never a title, state or count of a page outside their rights.
    """

    template_name = "translations/dashboard.html"
    page_title = gettext_lazy("Translations")
    header_icon = "wagtail-localize-language"
    breadcrumbs_items = []
    paginate_by = 25

    def get_filters(self, targets):
        """The language and state asked for; an unknown one is dropped, with a message."""
        language_code = self.request.GET.get("language", "")
        language = next((loc for loc in targets if loc.language_code == language_code), None)
        if language_code and language is None:
            messages.warning(
                self.request,
                _("There is no language “%(code)s” to filter by: showing every language.")
                % {"code": language_code},
            )
        state = self.request.GET.get("state", "")
        if state and state not in FILTERS:
            messages.warning(
                self.request,
                _("There is no state “%(state)s” to filter by: showing every state.")
                % {"state": state},
            )
            state = ""
        return language, state

    def get_articles(self, source_locale, columns, editable):
        articles = ArticlePage.objects.filter(locale=source_locale, alias_of__isnull=True)
        if editable is not None:
            translations = editable.filter(locale__in=columns, alias_of__isnull=True)
            articles = articles.filter(
                Q(pk__in=editable.values("pk"))
                | Q(translation_key__in=translations.values("translation_key"))
            )
        return articles.order_by("-display_date", "-pk").only(
            "title",
            "draft_title",
            "translation_key",
            "locale_id",
            "live",
            "has_unpublished_changes",
            "last_published_at",
            "latest_revision_created_at",
            "display_date",
        )

    def get_context_data(self, **kwargs):
        locales = list(site_locales())
        source_locale = Locale.get_default()
        targets = [locale for locale in locales if locale.pk != source_locale.pk]
        language, state = self.get_filters(targets)
        columns = [language] if language else targets
        editable = editable_pages(self.request.user)
        articles = self.get_articles(source_locale, columns, editable)

        if state:
            # States are computed, not stored: the database keeps the articles with a cell in
            # that state (dashboard.with_state), and only the rows shown are computed.
            articles = with_state(articles, state, columns, source_locale, editable)
        page = ArticlePaginator(articles, self.paginate_by).get_page(self.request.GET.get("p"))
        page.object_list = build_rows(page.object_list, columns, editable)

        here = self.request.get_full_path()
        for row in page.object_list:
            for cell in row.cells:
                cell.url = self.cell_url(row, cell, here)

        return super().get_context_data(
            source_locale=source_locale,
            language_options=[(locale.language_code, str(locale)) for locale in targets],
            columns=columns,
            language=language,
            state=state,
            states=FILTERS,
            rows=page.object_list,
            page_obj=page,
            items=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            **kwargs,
        )

    @staticmethod
    def cell_url(row, cell, next_url):
        """Where the translator acts on this cell."""
        article = row.article
        if cell.state == RESTRICTED:
            return None
        if not row.editable:
            # Translating or syncing the article takes the right to edit it: a translator of
            # this language only edits their page.
            return reverse("wagtailadmin_pages:edit", args=[cell.page_id])
        if cell.state == MISSING:
            url = reverse("translations:translate_page", args=[article.pk])
            return f"{url}?{urlencode({'locale': cell.locale.language_code, 'next': next_url})}"
        if cell.state == OUTDATED:
            url = reverse("wagtail_localize:update_translations", args=[cell.source_id])
            return f"{url}?{urlencode({'next': next_url})}"
        # A synced translation opens in wagtail-localize's translation editor.
        return reverse("wagtailadmin_pages:edit", args=[cell.page_id])


class PublishUnreviewedView(WagtailAdminTemplateMixin, TemplateView):
    """Publish a translation that still holds unreviewed machine text: the explicit override.

    Only for a user with the override permission (``translations.review``) who may publish
    the page; the publication is logged in the page's history with the number of segments.
    """

    template_name = "translations/publish_unreviewed.html"
    page_title = gettext_lazy("Publish without review")
    header_icon = "warning"
    breadcrumbs_items = []

    def dispatch(self, request, page_id):
        self.page = get_object_or_404(Page, pk=page_id).specific
        if not (
            review.may_override(request.user)
            and self.page.permissions_for_user(request.user).can_publish()
        ):
            raise PermissionDenied
        self.translation = review.synced_translation(self.page)
        if self.translation is None:
            raise Http404
        self.count = review.unreviewed_segments(self.translation)
        self.edit_url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        if not self.count:
            messages.info(request, _("Every machine-translated segment has been reviewed."))
            return redirect(self.edit_url)
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=self.page,
            language=self.page.locale.get_display_name(),
            count=self.count,
            edit_url=self.edit_url,
            **kwargs,
        )

    def post(self, request, page_id):
        try:
            # save_target(publish=True) would publish after the commit, as nobody: write the
            # draft from the translations, then publish it as this user, in the override.
            with transaction.atomic(), review.publishing_unreviewed(request.user):
                self.translation.save_target(user=request.user, publish=False)
                self.page.get_latest_revision().publish(user=request.user)
        except ValidationError as error:
            messages.error(
                request,
                _("The translation could not be published: %(error)s")
                % {"error": "; ".join(error.messages)},
            )
        else:
            messages.warning(
                request,
                ngettext(
                    "'%(title)s' published with %(count)d machine-translated segment nobody "
                    "has reviewed; this is recorded in the page's history.",
                    "'%(title)s' published with %(count)d machine-translated segments nobody "
                    "has reviewed; this is recorded in the page's history.",
                    self.count,
                )
                % {"title": self.page.get_admin_display_title(), "count": self.count},
            )
        return redirect(self.edit_url)
