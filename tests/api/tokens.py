"""API clients with tokens, as integrations and frontends send them."""

from wagtail.models import APIToken


def token_for(user, name="frontend"):
    """The request headers of a client holding a new API token of ``user``."""
    _, plaintext = APIToken.create_token(user=user, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
