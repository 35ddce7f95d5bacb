"""The contact messages in the admin: read, search, export and delete; never written."""

import django_filters
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import policy_registry

from .models import ContactMessage

# Spreadsheet programs run a cell that starts with one of these as a formula; readers write
# these texts, so an exported message must never become one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ContactMessageFilterSet(WagtailFilterSet):
    language = django_filters.ChoiceFilter(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = ContactMessage
        fields = ["language"]


class ContactMessageIndexView(IndexView):
    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if (
            export_format == self.FORMAT_CSV
            and isinstance(value, str)
            and value.startswith(FORMULA_STARTS)
        ):
            return "'" + value
        return value


class ContactMessageInspectView(InspectView):
    def get_message_display_value(self):
        return linebreaksbr(self.object.message, autoescape=True)

    def get_submitted_at_display_value(self):
        return date_format(timezone.localtime(self.object.submitted_at), "DATETIME_FORMAT")


class ContactMessageURLFinder(ModelAdminURLFinder):
    """Links from elsewhere in the admin (logs, usage) open the message's inspect view."""

    edit_url_name = "contact_messages:inspect"

    def get_edit_url(self, instance):
        policy = policy_registry.get(instance)
        if self.user and not policy.user_has_any_permission(self.user, {"view", "delete"}):
            return None
        return self.construct_edit_url(instance)


class ContactMessageViewSet(ModelViewSet):
    """Messages arrive from the site's contact form only: no add, edit or copy views."""

    model = ContactMessage
    name = "contact_messages"
    icon = "mail"
    menu_label = _("Contact messages")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = ContactMessageIndexView
    inspect_view_class = ContactMessageInspectView
    copy_view_enabled = False
    # A message's link to its page is not a use of the page worth tracking.
    add_to_reference_index = False
    # Wagtail builds every view's form class, even for views that are not routed.
    form_fields = []
    inspect_view_enabled = True

    list_display = [
        "subject",
        "name",
        "email",
        Column("language", label=_("Language"), accessor="get_language_display"),
        DateColumn("submitted_at", label=_("Sent at")),
    ]
    filterset_class = ContactMessageFilterSet
    search_fields = ["name", "email", "subject", "message"]
    list_export = ["submitted_at", "language", "name", "email", "subject", "message", "page"]
    export_filename = "contact-messages"
    inspect_view_fields = [
        "submitted_at",
        "language",
        "page",
        "name",
        "email",
        "subject",
        "message",
    ]

    url_finder_class = ContactMessageURLFinder

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        return [
            pattern for pattern in super().get_urlpatterns() if pattern.name not in {"add", "edit"}
        ]


@hooks.register("register_admin_viewset")
def register_contact_message_viewset():
    return ContactMessageViewSet()
