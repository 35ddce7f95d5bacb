from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ConsentRecord, ConsentSettings, ConsentTexts

# Settings → Cookie consent: the policy version and the scripts that need consent, per site.
register_setting(ConsentSettings, icon="lock")


class ConsentTextsViewSet(SnippetViewSet):
    """The banner's texts, one per site and language, translated with wagtail-localize."""

    model = ConsentTexts
    icon = "lock"
    menu_label = _("Cookie banner")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["site", "locale", "title"]
    list_filter = ["locale", "site"]


register_snippet(ConsentTextsViewSet)


class ConsentRecordInspectView(InspectView):
    def get_chosen_at_display_value(self):
        return date_format(timezone.localtime(self.object.chosen_at), "DATETIME_FORMAT")


class ConsentRecordViewSet(ModelViewSet):
    """The consent log (proof of consent): read and export only.

    Records come from readers' choices and leave by ``purge_consent_records``; nobody adds,
    edits or deletes one here. Shown to users with the "Can view consent record" permission
    (Settings → Groups); Wagtail's permission policy hides the menu item from everyone else.
    """

    model = ConsentRecord
    name = "consent_records"
    icon = "list-ul"
    menu_label = _("Consent log")
    menu_order = 270
    add_to_admin_menu = True
    inspect_view_class = ConsentRecordInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    form_fields = []

    list_display = [
        "consent_id",
        "choice",
        "policy_version",
        "source",
        "language",
        "chosen_at",
    ]
    list_filter = ["choice", "source", "policy_version"]
    search_fields = ["consent_id"]
    list_export = list(ConsentRecord.EXPORT_FIELDS)
    export_filename = "consent-log"
    inspect_view_fields = list_export

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        return [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name not in {"add", "edit", "delete"}
        ]


@hooks.register("register_admin_viewset")
def register_consent_record_viewset():
    return ConsentRecordViewSet()
