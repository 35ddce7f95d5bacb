from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .models import ReaderProfile


class LanguageSelect(forms.Select):
    """Each language named in itself, and marked as such for fonts and screen readers."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["lang"] = value
        return option


class LanguageForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language of the site and of e-mails"),
        choices=settings.LANGUAGES,
        widget=LanguageSelect,
    )

    class Meta:
        model = ReaderProfile
        fields = ["language"]


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's admin login, for editors only, within allauth's failed-login limits.

    Wagtail's own form logs in any active user, readers included (who then land on "no
    permission"), and counts no failures: it would let readers skip e-mail verification and
    let anyone guess passwords without the limits of the reader login page. Readers get the
    same error as a wrong password, so the form does not tell which accounts exist.
    Enabled with ``WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"``.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # Raises "Too many failed login attempts" once a limit is reached.
            self.user_cache = get_adapter(self.request).authenticate(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.has_perm("wagtailadmin.access_admin"):
            raise self.get_invalid_login_error()
