"""Small pieces every ukiyo API endpoint shares: absolute API URLs, unknown parameters."""

from django.conf import settings
from django.urls import reverse
from ninja.errors import HttpError


def api_base():
    """What every link the API gives starts with (``WAGTAILAPI_BASE_URL``, no final slash)."""
    return settings.WAGTAILAPI_BASE_URL.rstrip("/")


def api_url(name, *args):
    """The absolute URL of an API endpoint: ``api_url("wagtailapi_v3:detail_page", 57)``."""
    return api_base() + reverse(name, args=args)


def page_api_urls(page_id):
    """``(v2 detail URL, v3 detail URL)`` of a page."""
    return (
        api_url("wagtailapi:pages:detail", page_id),
        api_url("wagtailapi_v3:detail_page", page_id),
    )


def unknown_parameters(query, known):
    """The query parameters an endpoint does not read, sorted.

    ukiyo's endpoints refuse them (400) rather than ignore them: ignored, a typo such as
    ``?local=en`` would quietly answer every language.
    """
    return sorted(set(query) - set(known))


def unknown_parameters_message(unknown):
    return f"Unknown query parameter: {', '.join(unknown)}"


def refuse_unknown_parameters(request, known):
    """For django-ninja views (API v3): a 400 problem naming what the endpoint does not read."""
    if unknown := unknown_parameters(request.GET, known):
        raise HttpError(400, unknown_parameters_message(unknown))
