from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .cookie import OPTIONAL_CATEGORIES


class RawCheckbox(forms.CheckboxInput):
    """A checkbox whose posted value reaches the field as sent (Django's turns any into True)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class CategoryField(forms.Field):
    """One category's switch: "1" when on, absent when off; anything else is refused."""

    widget = RawCheckbox
    default_error_messages = {"invalid": _("A category is either on or off.")}

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return False
        if value == "1":
            return True
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class ConsentForm(forms.Form):
    """The Cookie Settings form: accept all, reject all, or save the switches as they are."""

    ACCEPT, REJECT, SAVE = "accept", "reject", "save"

    action = forms.ChoiceField(
        choices=[
            (ACCEPT, _("Accept all")),
            (REJECT, _("Reject all")),
            (SAVE, _("Save my choices")),
        ],
        error_messages={
            "required": _("Choose Accept all, Reject all or Save my choices."),
            "invalid_choice": _("Choose Accept all, Reject all or Save my choices."),
        },
    )
    analytics = CategoryField()
    marketing = CategoryField()
    functional = CategoryField()

    def granted(self):
        """The optional categories the reader grants with this submission."""
        action = self.cleaned_data["action"]
        if action == self.ACCEPT:
            return set(OPTIONAL_CATEGORIES)
        if action == self.REJECT:
            return set()
        return {category for category in OPTIONAL_CATEGORIES if self.cleaned_data[category]}
