from django import forms
from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.models import Locale


def site_locales():
    """Every locale that exists, in the order of ``WAGTAIL_CONTENT_LANGUAGES``."""
    codes = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    position = Case(
        *(When(language_code=code, then=Value(i)) for i, code in enumerate(codes)),
        default=Value(len(codes)),
        output_field=IntegerField(),
    )
    return Locale.objects.annotate(position=position).order_by("position", "language_code")


class TranslatePagesForm(forms.Form):
    locales = forms.ModelMultipleChoiceField(
        label=_("Languages"),
        queryset=Locale.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one language."),
            "invalid_choice": _("“%(value)s” is not one of the site's languages."),
            "invalid_pk_value": _("“%(pk)s” is not one of the site's languages."),
        },
    )
    include_subpages = forms.BooleanField(label=_("Include subpages"), required=False)
    machine_translate = forms.BooleanField(label=_("Machine-translate the drafts"), required=False)

    def __init__(self, page, *args, machine_translator=None, preselect=None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = site_locales().exclude(pk=page.locale_id)
        self.fields["locales"].queryset = targets
        self.fields["locales"].initial = (
            [preselect.pk] if preselect is not None else [locale.pk for locale in targets]
        )

        descendants = page.get_descendants().count()
        if descendants:
            self.fields["include_subpages"].help_text = ngettext(
                "Also translate the %(count)d page below this one, parents first.",
                "Also translate the %(count)d pages below this one, parents first.",
                descendants,
            ) % {"count": descendants}
        else:
            del self.fields["include_subpages"]

        if machine_translator is None:
            del self.fields["machine_translate"]
        else:
            self.fields["machine_translate"].help_text = _(
                "Fill every segment that has no translation yet with %(translator)s. "
                "Translators review and publish the drafts."
            ) % {"translator": machine_translator.display_name}
