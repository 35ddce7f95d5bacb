"""Browser tests of the admin: editors and translators at work in Chromium, in their language.

These tests write (they publish, schedule and unpublish), so they run on a demo of their own,
not on the reader tests' one (``tests/browser``), whose facts about the newest articles they
would change. The fixtures are the reader package's (``demo_site``, ``new_context``), loaded
again for this package; ``newsroom`` adds the people who work in the admin, created before
Chromium starts (see ``tests/browser/conftest.py`` on Django's async guard).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile

from tests.browser.conftest import chromium, demo_site, new_context  # noqa: F401

PASSWORD = "a newsroom password 4 tests"


@dataclass(frozen=True)
class Person:
    username: str
    email: str
    language: str


# Superusers, each with the admin in their own language.
PEOPLE = {
    "ja": Person("henshu", "henshu@ukiyo.example", "ja"),
    "en": Person("editor", "editor@ukiyo.example", "en"),
    "th": Person("bannathikan", "bannathikan@ukiyo.example", "th"),
}


@pytest.fixture(scope="package")
def newsroom(demo_site, django_db_blocker):  # noqa: F811
    """The demo site with an editor per admin language (``PEOPLE``)."""
    with django_db_blocker.unblock():
        User = get_user_model()
        for person in PEOPLE.values():
            user = User.objects.create_superuser(
                username=person.username,
                email=person.email,
                password=PASSWORD,
                first_name="Aoi",
                last_name="Sato",
            )
            profile = UserProfile.get_for_user(user)
            profile.preferred_language = person.language
            profile.save()
    return demo_site


@pytest.fixture(scope="package")
def browser(newsroom):
    with chromium() as browser:
        yield browser


@pytest.fixture
def admin(new_context):  # noqa: F811
    """``admin(language)``: a tab logged in to the admin as the editor working in ``language``."""

    def log_in(language="ja", **options):
        person = PEOPLE[language]
        page = new_context(**options).new_page()
        page.goto("/admin/login/")
        page.fill("input[name=username]", person.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        return page

    return log_in
