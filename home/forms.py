"""The reader-facing contact form."""

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def single_line(value):
    """Runs of whitespace, line breaks included, as one space: the value goes into a header."""
    return " ".join(value.split())


class MessageField(forms.CharField):
    """A text area's value with ``\\n`` line breaks.

    Browsers send line breaks as ``\\r\\n`` but count them as one character against
    ``maxlength``: without this, a text the browser accepted could be too long here.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class ContactForm(forms.Form):
    """A reader's message to the newsroom.

    ``website`` is a trap for robots: people never see it (the stylesheet hides it, and it is
    hidden from assistive technology and from the keyboard), so a submission that fills it
    in is not a person's.
    """

    TRAP = "website"
    # What a reader may send; ``ContactMessage`` stores it with the same limits.
    NAME_MAX_LENGTH = 100
    EMAIL_MAX_LENGTH = 254
    SUBJECT_MAX_LENGTH = 150
    MESSAGE_MAX_LENGTH = 5000

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    message = MessageField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, in the reader's language and number format.
        limit = self.MESSAGE_MAX_LENGTH
        self.fields["message"].help_text = ngettext(
            "At most %(count)s character.", "At most %(count)s characters.", limit
        ) % {"count": number_format(limit, force_grouping=True)}

    def clean_name(self):
        return single_line(self.cleaned_data["name"])

    def clean_subject(self):
        return single_line(self.cleaned_data["subject"])

    @property
    def shown_fields(self):
        """The fields people fill in, in order: all but the trap."""
        return [field for field in self if field.name != self.TRAP]

    @property
    def trap(self):
        return self[self.TRAP]

    def is_from_robot(self):
        """True when the hidden field was filled in (call after ``is_valid``)."""
        return bool(self.cleaned_data.get(self.TRAP))

    def message_fields(self):
        """What a ``ContactMessage`` stores of a valid submission."""
        return {name: self.cleaned_data[name] for name in ("name", "email", "subject", "message")}
