"""Unpublishing a page together with its translations, from Wagtail's unpublish confirmation.

Wagtail's page unpublish view takes down only the page it is asked about; its translations
stay live. The confirmation (``wagtailadmin/pages/confirm_unpublish.html``, overridden by
this app) offers "Also unpublish its translations", listing the live translations the user may
unpublish; ``after_unpublish_page`` (``translations.wagtail_hooks``) takes those down with
Wagtail's unpublish action, so each is logged in its own history. A live translation the
user may not unpublish is neither listed by title nor touched: only their number is shown.
"""

from django.contrib import messages
from django.utils.translation import ngettext
from wagtail.actions.unpublish_page import UnpublishPageAction

FIELD = "unpublish_translations"


def live_translations(page, user):
    """``(may_unpublish, others)``: the page's live translations ``user`` may unpublish,
    ordered by language, and how many other live translations there are."""
    translations = (
        page.get_translations()
        .live()
        .filter(alias_of__isnull=True)
        .select_related("locale")
        .specific()
        .order_by("locale__language_code")
    )
    allowed, others = [], 0
    for translation in translations:
        if translation.permissions_for_user(user).can_unpublish():
            allowed.append(translation)
        else:
            others += 1
    return allowed, others


def unpublish_translations(request, page):
    """Unpublish the translations the user chose to take down with ``page``."""
    if not request.POST.get(FIELD):
        return
    include_descendants = bool(request.POST.get("include_descendants"))
    translations, _others = live_translations(page, request.user)
    for translation in translations:
        UnpublishPageAction(
            translation, user=request.user, include_descendants=include_descendants
        ).execute(skip_permission_checks=True)  # checked in live_translations
    if translations:
        messages.success(
            request,
            ngettext(
                "Its translation was unpublished too: %(titles)s.",
                "Its %(count)d translations were unpublished too: %(titles)s.",
                len(translations),
            )
            % {
                "count": len(translations),
                "titles": ", ".join(
                    f"{t.get_admin_display_title()} ({t.locale.get_display_name()})"
                    for t in translations
                ),
            },
        )
