from urllib.parse import urlencode

from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter

from . import review, unpublishing, urls
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


# -- machine translation waits for review (translations.review) -------------------------------


@hooks.register("before_edit_page", order=-1)
def refuse_unreviewed_publication(request, page):
    """The translation editor's "Publish": a message instead of a 403 when segments wait.

    Runs before wagtail-localize's own hook, which publishes the synced translation; the
    refusal itself is the publish action's (every other path gets it too).
    """
    if request.method != "POST" or request.POST.get("action") != "publish":
        return None
    translation = review.synced_translation(page)
    if translation is None:
        return None
    count = review.unreviewed_segments(translation)
    if not count:
        return None
    buttons = []
    if review.may_override(request.user) and page.permissions_for_user(request.user).can_publish():
        buttons.append(
            admin_messages.button(
                reverse("translations:publish_unreviewed", args=[page.pk]),
                _("Publish without review"),
            )
        )
    admin_messages.error(
        request,
        _("Not published in %(language)s: %(reason)s")
        % {"language": page.locale.get_display_name(), "reason": review.refusal_message(count)},
        buttons=buttons,
    )
    return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))


@hooks.register("register_log_actions")
def register_log_actions(actions):
    @actions.register_action(review.LOG_ACTION)
    class PublishedUnreviewed(LogFormatter):
        label = review.LOG_LABEL

        def format_message(self, log_entry):
            count = (log_entry.data or {}).get("count", 0)
            return ngettext(
                "Published with %(count)d machine-translated segment nobody had reviewed",
                "Published with %(count)d machine-translated segments nobody had reviewed",
                count,
            ) % {"count": count}


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(
        content_type__app_label="translations",
        codename="publish_unreviewed_machine_translation",
    )


class ReviewedPublishBulkAction(PublishBulkAction):
    """Wagtail's bulk "Publish", which leaves out translations with unreviewed machine text.

    A selected translation that may not be published is listed as one the user cannot
    publish; a draft descendant is skipped (and not counted).
    """

    def check_perm(self, page):
        return super().check_perm(page) and not review.unreviewed_in_page(page)

    @classmethod
    def execute_action(cls, objects, include_descendants=False, user=None, **kwargs):
        # The selected pages passed check_perm; their draft descendants are published here,
        # each one only if it holds no unreviewed machine translation.
        parents, _none = super().execute_action(objects, user=user, **kwargs)
        children = 0
        for page in objects if include_descendants else []:
            drafts = page.get_descendants().not_live().defer_streamfields().specific()
            for draft in drafts.iterator():
                if user is not None and not draft.permissions_for_user(user).can_publish():
                    continue
                if review.unreviewed_in_page(draft):
                    continue
                (draft.get_latest_revision() or draft.save_revision(user=user)).publish(user=user)
                children += 1
        return parents, children


# After Wagtail's own (order 0): the later registration of an action type wins.
hooks.register("register_bulk_action", ReviewedPublishBulkAction, order=1)
