from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext

from compat.allauth import LoginAttemptsPerAccountMixin
from core.clients import client_ip
from core.sites import request_site

from .devices import known_device
from .languages import current_language, home_url, set_language_cookie, site_language
from .models import ReaderProfile

# Longer is no safer, and hashing megabytes on request would be an easy way to load the
# server; no one types more than this.
MAX_PASSWORD_LENGTH = 4096


class ReaderAccountAdapter(LoginAttemptsPerAccountMixin, DefaultAccountAdapter):
    """django-allauth, adapted to ukiyo's readers.

    Failed logins count per account and client (its address, or the browser when it is one
    of the account's known devices), however the Host header is written and whether the
    account is named by e-mail (reader login) or by user name (admin login): see
    ``compat.allauth`` (tests/accounts/test_login_limits.py pins it).
    """

    def known_device(self, request, user):
        return known_device(request, user)

    def get_client_ip(self, request):
        # allauth's own lookup raises ImproperlyConfigured (a 500) when X-Forwarded-For has
        # fewer entries than trusted proxies; ukiyo's falls back to the connection's address.
        return client_ip(request)

    def clean_password(self, password, user=None):
        # Every form that sets a password (signup, change, reset) comes through here.
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(
                gettext("The password is too long: use at most %(max_length)d characters.")
                % {"max_length": MAX_PASSWORD_LENGTH},
                code="password_too_long",
            )
        return super().clean_password(password, user=user)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            # Before the verification e-mail goes out, so that it is written in this language.
            ReaderProfile.objects.get_or_create(
                user=user, defaults={"language": current_language()}
            )
        return user

    def get_login_redirect_url(self, request):
        """Without an explicit ``next``: the home page in the reader's language."""
        return home_url(site_language(ReaderProfile.for_user(request.user).language))

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        # / picks its language from this cookie: the reader's language on every device.
        set_language_cookie(response, site_language(ReaderProfile.for_user(user).language))
        return response

    def email_language(self, email, user=None):
        """The language of an e-mail to ``email``: its owner's, else the current page's."""
        if user is None or not user.pk:
            addresses = EmailAddress.objects.filter(email__iexact=email).select_related("user")
            address = addresses.first()
            user = address.user if address else None
        if user is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            return current_language()
        return ReaderProfile.for_user(user).language

    def site_name(self):
        request = allauth_context.request
        site = request_site(request) if request else None
        return (site and site.site_name) or settings.WAGTAIL_SITE_NAME

    def format_email_subject(self, subject):
        # allauth's prefix is the host name unless django.contrib.sites is installed.
        return f"[{self.site_name()}] {subject}"

    def send_mail(self, template_prefix, email, context):
        """Every e-mail in its reader's language, links included.

        allauth builds some links (password reset, sign up) before it gets here, in the
        language of the page that asked for the e-mail; they are moved to the e-mail's.
        """
        language = self.email_language(email, context.get("user"))
        context = {
            key: translate_url(value, language)
            if key.endswith("_url") and isinstance(value, str)
            else value
            for key, value in context.items()
        }
        request = allauth_context.request
        if request is not None:
            # The greeting and signature name the site ("Hello from ukiyo journal!").
            context.setdefault(
                "current_site", SimpleNamespace(name=self.site_name(), domain=request.get_host())
            )
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
