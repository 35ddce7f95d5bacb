import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Site

from accounts.models import ReaderProfile

PASSWORD = "a-long-reader-password-77"


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate limits count in the cache: every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def ui(text, language, context=None):
    """``text`` as the site shows it in ``language`` (gettext)."""
    with translation.override(language):
        if context:
            return translation.pgettext(context, text)
        return translation.gettext(text)


def subject(text, language):
    """An e-mail subject as allauth writes it: "[site name] text", in ``language``."""
    site = Site.objects.get(is_default_site=True)
    return f"[{site.site_name or settings.WAGTAIL_SITE_NAME}] {ui(text, language)}"


def make_reader(email="reader@example.com", language="ja", password=PASSWORD, verified=True):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=password
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    ReaderProfile.objects.create(user=user, language=language)
    return user


@pytest.fixture
def reader(home):
    """A verified reader who reads in Japanese."""
    return make_reader()


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


def link_in(mail, path_part):
    """The first link in ``mail``'s body whose path contains ``path_part``."""
    match = re.search(r"https?://[^/\s]+(/\S*" + re.escape(path_part) + r"\S*)", mail.body)
    assert match, f"no link with {path_part!r} in:\n{mail.body}"
    return match.group(1)
