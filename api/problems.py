"""Every error of both APIs in one shape: problem JSON (RFC 9457).

``application/problem+json`` with ``type``, ``title`` (the status's reason phrase),
``status`` and ``detail`` (what went wrong, in English, naming the parameter or the path),
and ``errors`` where there are several problems to name. v2's errors also carry ``message``,
the same text as ``detail``: Wagtail's v2 answers ``{"message"}`` and its clients read that.
Every error is ``Cache-Control: private, no-store``.

v3's operations answer problems themselves (``api.v3.errors``, Wagtail's handlers). Other
answers come from code that knows nothing of the shape: Wagtail's and Django REST framework's
v2 views (``{"message"}``, ``{"detail"}``), django-ninja's 405 (plain text). ``as_problems``,
applied to every API view by ``api.views``, gives each of them the shape, so that a client
reads every error of either API the same way.
"""

import functools
import json
from http import HTTPStatus

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from wagtail.api.v3.errors import PROBLEM_JSON, build_problem_detail

from .rendering import COMPACT


def reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status, detail, *, v2=False, **members):
    """The problem's members (``errors`` and extensions in ``members``)."""
    body = build_problem_detail(status=status, detail=detail).model_dump(exclude_none=True)
    body.update({name: value for name, value in members.items() if value is not None})
    if v2:
        body["message"] = detail
    return body


def problem(status, detail, *, v2=False, **members):
    """A problem answer; ``v2`` adds v2's ``message``."""
    body = problem_body(status, detail, v2=v2, **members)
    response = HttpResponse(json.dumps(body, **COMPACT), status=status)
    response["Content-Type"] = PROBLEM_JSON
    patch_cache_control(response, private=True, no_store=True)
    return response


def _detail(request, response, body):
    if response.status_code == 405:
        # Django REST framework words it in the active language (the site's source
        # language), django-ninja in plain text: the allowed methods say it better.
        allowed = response.get("Allow")
        return f"{request.method} is not allowed here" + (f": use {allowed}." if allowed else ".")
    if response.status_code == 406:
        # Django REST framework's, in the active language: an Accept without JSON (v2 answers
        # nothing else: api.v2.rendering).
        return "This API answers in JSON only: accept application/json."
    for name in ("detail", "message"):
        if isinstance(body.get(name), str) and body[name]:
            return body[name]
    return f"{reason(response.status_code)}."


def _rewrite(response, body):
    response.content = json.dumps(body, **COMPACT)
    response["Content-Type"] = PROBLEM_JSON
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))


def in_problem_shape(request, response, *, v2):
    """``response`` as a problem, if it is an error that is not one already."""
    if response.status_code < 400 or getattr(response, "streaming", False):
        return response
    if hasattr(response, "render") and callable(response.render):
        response = response.render()  # Django REST framework's answers render after the view
    try:
        body = json.loads(response.content) if "json" in response.get("Content-Type", "") else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    is_problem = response.get("Content-Type", "").startswith(PROBLEM_JSON) and {
        "type",
        "title",
        "status",
        "detail",
    } <= set(body)
    if not is_problem:
        errors = body.get("errors") if isinstance(body.get("errors"), list) else None
        detail = _detail(request, response, body)
        _rewrite(response, problem_body(response.status_code, detail, v2=v2, errors=errors))
    elif v2 and "message" not in body:
        _rewrite(response, {**body, "message": body["detail"]})
    patch_cache_control(response, private=True, no_store=True)
    return response


def is_v2(request):
    """Whether v2's shape applies: anything under ``/api/`` but ``/api/v3/``."""
    return not request.path_info.startswith("/api/v3/")


def as_problems(view):
    """Every error ``view`` answers, as a problem (with ``message`` outside v3)."""

    @functools.wraps(view)
    def view_answering_problems(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        return in_problem_shape(request, response, v2=is_v2(request))

    return view_answering_problems
