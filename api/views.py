"""What every API view shares, applied to each of them by ``api.urls``.

The API answers the same to every caller with the same token (so that it caches): never from
the visitor's session (``api.access.without_session``), always in the source language unless
the content says otherwise (a page's own language, see ``api.v3.pages``), and with the HTTP
caching policy of ``api.caching``, and refusing what no endpoint can use in a query string and
searches beyond the rate limit (``api.params``). Every error comes as problem JSON, v2's with
its ``message`` too (``api.problems``). These were middleware that every reader page went
through too; as decorators of the API's views they run for the API alone.
"""

import functools

from django.conf import settings
from django.utils import translation
from wagtail.api.v3.errors import problem_response

from .access import without_session
from .caching import http_caching
from .kept import kept_answers
from .limits import checked_body
from .params import (
    query_problems,
    search_refused,
    too_many_searches_message,
    unknown_parameters_message,
)
from .problems import as_problems, is_v2, problem
from .v3.params import undeclared_parameters


def in_source_language(view):
    """API output depends on the content's language, never on the caller's
    ``Accept-Language`` or language cookie: the same URL gives the same JSON to everyone."""

    @functools.wraps(view)
    def view_in_source_language(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return view(request, *args, **kwargs)

    return view_in_source_language


def v2_checked_query(view):
    """API v2: 400 for a query no endpoint can use (every v2 resource's ``id`` is a number),
    429 with ``Retry-After`` beyond the search rate limit."""

    @functools.wraps(view)
    def view_with_checked_query(request, *args, **kwargs):
        if problems := query_problems(request, integer_parameters=["id"]):
            message = " ".join(message for _name, message in problems)
            return problem(400, message, v2=True)
        if limit := search_refused(request):
            response = problem(429, too_many_searches_message(limit), v2=True)
            response["Retry-After"] = str(limit.retry_after())
            return response
        return view(request, *args, **kwargs)

    return view_with_checked_query


def v3_checked_query(view):
    """API v3: the same as problem JSON, each problem named by its parameter like
    django-ninja's query errors (``api.v3.errors``); and a 400 for a parameter the operation
    does not declare (``api.v3.params``), in the words of ukiyo's endpoints."""

    @functools.wraps(view)
    def view_with_checked_query(request, *args, **kwargs):
        if problems := query_problems(request):
            errors = [{"loc": ["query", name], "msg": message} for name, message in problems]
            return problem_response(status=400, detail="Invalid query parameters", errors=errors)
        if unknown := undeclared_parameters(request):
            return problem_response(status=400, detail=unknown_parameters_message(unknown))
        if limit := search_refused(request):
            response = problem_response(status=429, detail=too_many_searches_message(limit))
            response["Retry-After"] = str(limit.retry_after())
            return response
        return view(request, *args, **kwargs)

    return view_with_checked_query


def answering_head(view):
    """``HEAD`` answered as ``GET`` is: the same status and headers (Cache-Control, ETag,
    Vary, Content-Type, Content-Length), the body left out by the server, as Django's own
    class-based views answer it.

    Monitors and CDNs check a resource with ``HEAD``. Django REST framework (v2) runs a GET
    handler for it; django-ninja (v3) routes an operation by the methods it was declared
    with, and Wagtail declares its reads for ``GET`` only, so v3 answered 405 (django-ninja's
    documented way, an operation declared for both, is Wagtail's to take:
    https://github.com/vitalik/django-ninja/issues/348). The view runs as for a ``GET``; the
    caching policy around it sees the ``HEAD`` again.
    """

    @functools.wraps(view)
    def view_answering_head(request, *args, **kwargs):
        if request.method != "HEAD":
            response = view(request, *args, **kwargs)
        else:
            request.method = "GET"
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        # A 405 names what the path takes: HEAD wherever GET is.
        allowed = [method.strip() for method in response.get("Allow", "").split(",")]
        if response.status_code == 405 and "GET" in allowed and "HEAD" not in allowed:
            response["Allow"] = ", ".join([*allowed, "HEAD"])
        return response

    return view_answering_head


def api_view(view, *, checked_query=None):
    """An API view, its answer rendered and cached in the source language, its session
    never read, its request body refused when too large or of the wrong shape, an anonymous
    read kept when its view declares what it shows (``api.kept``), its errors as problems,
    ``HEAD`` answered as ``GET``; with ``checked_query`` (one of the two above), its query
    checked first."""
    view = kept_answers(answering_head(view))
    if checked_query is not None:
        view = checked_query(view)
    return as_problems(checked_body(in_source_language(http_caching(without_session(view)))))


def not_found(request):
    """Any other path under ``/api/``: a 404 problem, never an HTML page or a redirect."""
    return problem(404, "Not found: no API endpoint at this path.", v2=is_v2(request))
