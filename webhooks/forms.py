from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from changes.models import ContentChange


class WebhookForm(WagtailAdminModelForm):
    """Events and languages as checkboxes; a new secret on request when editing."""

    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=ContentChange.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Changes in these languages only. None selected: every language."),
    )
    rotate_secret = forms.BooleanField(
        label=_("Generate a new secret"),
        required=False,
        help_text=_(
            "The old secret keeps signing deliveries, next to the new one, for 24 hours: "
            "time to give the receiver the new one."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # A new webhook gets a fresh secret anyway.
            del self.fields["rotate_secret"]

    def save(self, commit=True):
        if self.cleaned_data.get("rotate_secret"):
            self.instance.rotate_secret()
        return super().save(commit=commit)
