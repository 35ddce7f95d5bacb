"""The one exception handler of API v3's validation errors, preconditions and bodies.

Registered with django-ninja's ``add_exception_handler`` for each error class it answers; it
replaces Wagtail's handler of validation errors, whose answer it keeps (a 422 problem whose
``errors`` name each mistake) with two differences:

- A ``GET`` has no body, so every validation error it raises is about its query string: it
  answers 400 "Invalid query parameters", like v2.
- A write's 422 names every error by its path in the JSON the client sent. ninja prefixes the
  request part, the parameter and the page or snippet type of the schema union (``["body", "data",
  "news.ArticlePage", "title"]``) where Wagtail's form errors and ``api.v3.bodies`` say
  ``["title"]``: a client gets one kind of path for every error of a write.

``tests/api/test_errors.py`` compares the errors it lists with Wagtail's own handler's, so a
change of Wagtail's shape shows up.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from wagtail.api.v3.errors import PROBLEM_JSON, build_problem_detail, problem_response
from wagtail.models import get_page_models
from wagtail.snippets.models import get_snippet_models
from wagtail.utils.forms import FormValidationError

from .bodies import BodyErrors
from .locks import PageLocked
from .preconditions import PreconditionFailed, PreconditionRequired
from .snippets import Conflict

QUERY_ERRORS = (NinjaValidationError, PydanticValidationError)
HANDLED = (
    *QUERY_ERRORS,
    DjangoValidationError,
    BodyErrors,
    PreconditionFailed,
    PreconditionRequired,
    PageLocked,
    Conflict,
    RequestDataTooBig,
)


def validation_errors(exc):
    """The ``errors`` of a validation problem, as Wagtail lists them."""
    if isinstance(exc, FormValidationError):
        return [
            {"type": code, "loc": list(path), "msg": message}
            for path, coded_messages in exc.loc_errors
            for message, code in coded_messages
        ]
    if isinstance(exc, DjangoValidationError):
        return [{"msg": message} for message in exc.messages]
    if isinstance(exc, NinjaValidationError):
        return exc.errors
    # Pydantic's "input" echoes what was sent, which an API client does not need back.
    return [
        {key: value for key, value in error.items() if key != "input"} for error in exc.errors()
    ]


def _page_type_labels():
    """The labels ninja puts in a write's error paths: page types and snippet types."""
    return {model._meta.label for model in [*get_page_models(), *get_snippet_models()]}


def as_body_paths(errors):
    """Errors of a write's body, named by their path in the JSON the client sent."""
    labels = _page_type_labels()
    for error in errors:
        loc = list(error.get("loc") or [])
        if loc[:2] == ["body", "data"]:
            loc = loc[2:]
            if loc and isinstance(loc[0], str) and loc[0] in labels:
                loc = loc[1:]
            error["loc"] = loc
    return errors


def locked_response(exc):
    """423 Locked, with the lock as data beside the sentence (a problem's extension member)."""
    problem = build_problem_detail(status=423, detail=str(exc)).model_dump(exclude_none=True)
    problem["lock"] = exc.lock
    return HttpResponse(json.dumps(problem), status=423, content_type=PROBLEM_JSON)


def too_large_detail():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        f"The request body is larger than this API accepts ({limit:,} bytes, "
        "DATA_UPLOAD_MAX_MEMORY_SIZE)."
    )


def handle(request, exc):
    if isinstance(exc, RequestDataTooBig):
        # A body Django refused to read (a form body sent to a JSON operation): 413, as
        # ``api.limits`` answers any other body that is too large.
        return problem_response(status=413, detail=too_large_detail())
    if isinstance(exc, PageLocked):
        return locked_response(exc)
    if isinstance(exc, Conflict):
        return problem_response(status=409, detail=str(exc))
    if isinstance(exc, PreconditionRequired):
        return problem_response(status=428, detail=str(exc))
    if isinstance(exc, PreconditionFailed):
        return problem_response(status=412, detail=str(exc))
    if isinstance(exc, BodyErrors):
        return problem_response(status=422, detail="Validation failed", errors=exc.errors)
    errors = validation_errors(exc)
    if isinstance(exc, QUERY_ERRORS):
        if request.method in ("GET", "HEAD"):
            return problem_response(status=400, detail="Invalid query parameters", errors=errors)
        errors = as_body_paths(errors)
    return problem_response(status=422, detail="Validation failed", errors=errors)


def register(api):
    for error_class in HANDLED:
        api.add_exception_handler(error_class, handle)
