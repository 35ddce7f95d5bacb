"""Admin views: webhooks (Settings → Webhooks) and their delivery log."""

import json
from datetime import datetime

import django_filters
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from changes.models import ContentChange

from . import tasks
from .forms import WebhookForm
from .models import TEST_EVENT, Webhook, WebhookDelivery

ICON = "link-external"


class DeliveryLogPermissionPolicy(ModelPermissionPolicy):
    """The log follows the webhook permissions; nobody writes log entries by hand.

    Reading it takes the webhook "view" (or "change") permission, so editors can be let
    in without seeing secrets or editing receivers; "retry" takes "change".
    """

    def __init__(self):
        super().__init__(WebhookDelivery)
        self.webhooks = ModelPermissionPolicy(Webhook)

    def _webhook_actions(self, actions):
        granted = set()
        if "view" in actions:
            granted |= {"view", "change"}
        if "retry" in actions:
            granted.add("change")
        return granted

    def user_has_permission(self, user, action):
        return self.webhooks.user_has_any_permission(user, self._webhook_actions([action]))

    def users_with_any_permission(self, actions):
        return self.webhooks.users_with_any_permission(self._webhook_actions(actions))


def delivery_log_url(webhook):
    return reverse("webhook_deliveries:index") + f"?webhook={webhook.pk}"


def delivery_message(delivery):
    """What the editor reads after an attempt made from the admin, and its level."""
    url = delivery.webhook.url
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        text = _("Delivered: %(url)s answered %(status)s.")
        return messages.SUCCESS, text % {"url": url, "status": delivery.response_status}
    if delivery.response_status is not None:
        text = _("Not delivered: %(url)s answered %(status)s.")
        return messages.ERROR, text % {"url": url, "status": delivery.response_status}
    text = _("Not delivered: %(error)s")
    return messages.ERROR, text % {"error": delivery.error}


# --- Webhooks ---------------------------------------------------------------------


class WebhookIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                gettext_lazy("Delivery log"),
                url=delivery_log_url(instance),
                icon_name="list-ul",
                priority=15,
            )
        )
        return buttons


class WebhookEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Delivery log"),
                url=delivery_log_url(self.object),
                icon_name="list-ul",
                priority=5,
            )
        )
        buttons.append(
            Button(
                _("Send test delivery"),
                url=reverse("webhooks:send_test", args=[self.object.pk]),
                icon_name=ICON,
                priority=6,
            )
        )
        return buttons


class ConfirmView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """A GET page that explains an action, and a POST that does it."""

    template_name = "webhooks/confirm.html"
    header_icon = ICON
    confirm_label = ""
    message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            message=self.get_message(),
            confirm_label=self.confirm_label,
            cancel_url=self.get_cancel_url(),
        )
        return context


class SendTestView(ConfirmView):
    permission_policy = ModelPermissionPolicy(Webhook)
    permission_required = "change"
    page_title = gettext_lazy("Send test delivery")
    confirm_label = gettext_lazy("Send now")

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Webhook, pk=pk)

    def get_page_subtitle(self):
        return str(self.object)

    def get_message(self):
        return _(
            "A request with the event “%(event)s” goes to %(url)s now, signed like every "
            "delivery. It is listed in the delivery log and not retried."
        ) % {"event": TEST_EVENT, "url": self.object.url}

    def get_cancel_url(self):
        return reverse("webhooks:edit", args=[self.object.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("webhooks:index"), "label": Webhook._meta.verbose_name_plural},
            {"url": self.get_cancel_url(), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def post(self, request, *args, **kwargs):
        delivery = tasks.send_test(self.object)
        level, text = delivery_message(delivery)
        messages.add_message(request, level, text)
        return redirect("webhook_deliveries:inspect", delivery.pk)


class WebhookViewSet(ModelViewSet):
    model = Webhook
    name = "webhooks"
    icon = ICON
    menu_label = gettext_lazy("Webhooks")
    add_to_settings_menu = True
    index_view_class = WebhookIndexView
    edit_view_class = WebhookEditView
    copy_view_enabled = False  # a copy would share the secret
    inspect_view_enabled = True  # and with it the "view" permission: the log, read-only
    inspect_view_fields = ["name", "url", "events", "languages", "active", "created_at"]
    list_display = ["name", "url", "events", "active"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("url"),
            FieldPanel("events"),
            FieldPanel("languages"),
            FieldPanel("active"),
            FieldPanel(
                "secret",
                read_only=True,
                help_text=gettext_lazy(
                    "The receiver checks each request's X-Ukiyo-Signature with this secret."
                ),
            ),
            FieldPanel("rotate_secret"),
        ],
        base_form_class=WebhookForm,
    )

    @property
    def send_test_view(self):
        return SendTestView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("test/<int:pk>/", self.send_test_view, name="send_test"),
        ]


# --- The delivery log ---------------------------------------------------------------


def event_choices():
    return [*ContentChange.Event.choices, (TEST_EVENT, gettext_lazy("Test delivery"))]


class DeliveryFilterSet(WagtailFilterSet):
    webhook = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Webhook"), queryset=Webhook.objects.all()
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=WebhookDelivery.Status.choices
    )
    event = django_filters.ChoiceFilter(label=gettext_lazy("Event"), choices=event_choices)

    class Meta:
        model = WebhookDelivery
        fields = ["webhook", "status", "event"]


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("webhook")


class DeliveryInspectView(generic.InspectView):
    template_name = "webhooks/delivery_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=self.pk)

    def get_page_subtitle(self):
        return self.object.get_event_display()

    @cached_property
    def header_buttons(self):
        if self.object.can_retry and self.user_has_permission("retry"):
            url = reverse("webhook_deliveries:retry", args=[self.object.pk])
            return [HeaderButton(_("Retry now"), url=url, icon_name="rotate")]
        return []

    @cached_property
    def header_more_buttons(self):
        return []

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime):
            # The generic template formats without converting: show the editor's time.
            return timezone.localtime(value)
        return "—" if value in (None, "") else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            body = json.dumps(json.loads(self.object.body), indent=2, ensure_ascii=False)
        except ValueError:
            body = self.object.body
        history = [
            {**entry, "time": parse_datetime(entry.get("time") or "")}
            for entry in self.object.history
        ]
        context.update(
            request_body=body,
            response_body=self.object.response_body,
            history=history,
            log_url=delivery_log_url(self.object.webhook),
        )
        return context


class RetryView(ConfirmView):
    permission_policy = DeliveryLogPermissionPolicy()
    permission_required = "retry"
    page_title = gettext_lazy("Retry delivery")
    confirm_label = gettext_lazy("Retry now")

    def setup(self, request, *args, pk, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=pk)

    def get_page_subtitle(self):
        return self.object.get_event_display()

    def get_message(self):
        return _("The delivery is sent to %(url)s again now, with the same body and id.") % {
            "url": self.object.webhook.url
        }

    def get_cancel_url(self):
        return reverse("webhook_deliveries:inspect", args=[self.object.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("webhook_deliveries:index"),
                "label": WebhookDelivery._meta.verbose_name_plural,
            },
            {"url": self.get_cancel_url(), "label": self.get_page_subtitle()},
            {"url": "", "label": self.get_page_title()},
        ]

    def refuse(self):
        """A redirect with the reason when this delivery cannot be retried, else None."""
        if not self.object.can_retry:
            reason = _("Only failed or given-up deliveries can be retried.")
        elif not self.object.webhook.active:
            reason = _("Activate the webhook before retrying its deliveries.")
        else:
            return None
        messages.error(self.request, reason)
        return redirect(self.get_cancel_url())

    def get(self, request, *args, **kwargs):
        return self.refuse() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if refusal := self.refuse():
            return refusal
        delivery = tasks.retry_now(self.object)
        if delivery is None:
            messages.warning(request, _("The delivery changed in the meantime: nothing was sent."))
        else:
            level, text = delivery_message(delivery)
            messages.add_message(request, level, text)
        return redirect(self.get_cancel_url())


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = "webhook_deliveries"
    url_prefix = "webhooks/deliveries"
    icon = "list-ul"
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "webhook",
        "event",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "response_status",
        "duration_ms",
        "error",
    ]
    copy_view_enabled = False
    add_to_reference_index = False
    filterset_class = DeliveryFilterSet
    list_display = [
        "event",
        Column("subject", label=gettext_lazy("Title")),
        "webhook",
        "status",
        "attempts",
        Column("response_status", label=gettext_lazy("Response")),
        DateColumn("created_at", label=gettext_lazy("Time")),
    ]
    list_per_page = 50
    form_fields = []  # never edited: the generic add and edit views refuse everyone

    @property
    def retry_view(self):
        return RetryView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("retry/<uuid:pk>/", self.retry_view, name="retry"),
        ]

    def get_permissions_to_register(self):
        # The log has no permissions of its own (see DeliveryLogPermissionPolicy).
        return Permission.objects.none()
