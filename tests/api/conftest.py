import pytest

from .tokens import token_for


@pytest.fixture
def auth(admin_user):
    """The headers of an integration allowed everything: a superuser's API token."""
    return token_for(admin_user)


@pytest.fixture
def document(client, db):
    """The v3 OpenAPI document, as a client downloads it."""
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    return response.json()
