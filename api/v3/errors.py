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
- An answer ninja could not check against its own schema (errors under ``["response", …]``)
  is the server's failure, not the client's: Wagtail's handler called it a 422 (a 400 for a
  ``GET`` here), telling a client to change a request that was right. It goes on to Django's
  handler (``cms.views.server_error``): a 500, or a 503 with ``Retry-After`` when the database
  went away while the answer was built (a page's parent read for its ``meta``, say).

``tests/api/test_errors.py`` compares the errors it lists with Wagtail's own handler's, so a
change of Wagtail's shape shows up.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import HttpResponse
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from wagtail.api.v3.errors import PROBLEM_JSON, build_problem_detail, problem_response
from wagtail.models import get_page_models
from wagtail.snippets.models import get_snippet_models
from wagtail.utils.forms import FormValidationError

from api.rendering import COMPACT
from core.health import UNAVAILABLE_ERRORS

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


def answer_errors(exc):
    """The errors of ``exc`` in the answer ninja checked against the operation's schema."""
    return [error for error in exc.errors() if tuple(error.get("loc") or ())[:1] == ("response",)]


def database_failure(errors):
    """What the database said, when one of these errors is an attribute it could not give
    (else None): pydantic keeps only the class name and message of what ``getattr`` raised
    (``"OperationalError: terminating connection due to administrator command"``)."""
    names = tuple(f"{error_class.__name__}: " for error_class in UNAVAILABLE_ERRORS)
    for error in errors:
        raised = str((error.get("ctx") or {}).get("error", ""))
        if error["type"] == "get_attribute_error" and raised.startswith(names):
            return raised
    return None


def failed_answer(exc):
    """Raise what Django's handler answers for an answer that failed its schema: the database
    error it stood for (503), or ``exc`` itself (500)."""
    failure = database_failure(answer_errors(exc))
    if failure is not None:
        raise OperationalError(failure) from exc
    raise exc


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
    return HttpResponse(json.dumps(problem, **COMPACT), status=423, content_type=PROBLEM_JSON)


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
    if isinstance(exc, PydanticValidationError) and answer_errors(exc):
        failed_answer(exc)
    errors = validation_errors(exc)
    if isinstance(exc, QUERY_ERRORS):
        if request.method in ("GET", "HEAD"):
            return problem_response(status=400, detail="Invalid query parameters", errors=errors)
        errors = as_body_paths(errors)
    return problem_response(status=422, detail="Validation failed", errors=errors)


def register(api):
    for error_class in HANDLED:
        api.add_exception_handler(error_class, handle)
