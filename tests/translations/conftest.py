import pytest
from wagtail.users.models import UserProfile

from tests.factories import AuthorFactory, add_author, full_article


@pytest.fixture
def translator(client, admin_user):
    """A superuser working in the English admin, so messages compare in one language."""
    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(admin_user)
    return client


@pytest.fixture
def article(index, category, locales):
    """A live Japanese article with a category and an author, both snippets to translate."""
    page = full_article(index, title="月面基地の建設が始まる", category=category)
    add_author(page, AuthorFactory(name="山田 花子", slug="yamada", locale=locales["ja"]))
    return page
