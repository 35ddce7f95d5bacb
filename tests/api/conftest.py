import pytest

from .tokens import token_for


@pytest.fixture
def auth(admin_user):
    """The headers of an integration allowed everything: a superuser's API token."""
    return token_for(admin_user)
