"""What every API view shares, applied to each of them by ``api.urls``.

The API answers the same to every caller with the same token (so that it caches): never from
the visitor's session (``api.access.without_session``), always in the source language unless
the content says otherwise (a page's own language, see ``api.v3.pages``), and with the HTTP
caching policy of ``api.caching``. These were middleware that every reader page went through
too; as decorators of the API's views they run for the API alone.
"""

import functools

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation

from .access import without_session
from .caching import http_caching
from .limits import checked_body


def in_source_language(view):
    """API output depends on the content's language, never on the caller's
    ``Accept-Language`` or language cookie: the same URL gives the same JSON to everyone."""

    @functools.wraps(view)
    def view_in_source_language(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return view(request, *args, **kwargs)

    return view_in_source_language


def api_view(view):
    """An API view, its answer rendered and cached in the source language, its session
    never read, its request body refused when too large or of the wrong shape."""
    return checked_body(in_source_language(http_caching(without_session(view))))


def not_found(request):
    """Any other path under ``/api/``: a JSON 404, never an HTML page or a redirect."""
    return JsonResponse({"message": "Not found: no API endpoint at this path."}, status=404)
