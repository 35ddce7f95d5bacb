"""What the API accepts as a request body, answered before any view reads it.

- **Size.** A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's own limit on what it
  reads into memory, 2.5 MB unless set) answers 413 in the API's error shape. Django would
  refuse it anyway, but as an HTML 400 in production and, inside v3, as a 500 under
  ``DEBUG``. Multipart uploads are left to the upload limits of images and documents
  (``WAGTAILIMAGES_MAX_UPLOAD_SIZE``, ``WAGTAILDOCS_MAX_UPLOAD_SIZE``): Django keeps their
  files out of memory.
- **Shape.** Every JSON body of a v3 write is an object. Wagtail's page writes failed with a
  500 on ``null``, ``[]``, ``"x"`` or ``5``, and some actions took such a root for ``{}``.
"""

import functools
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from .problems import is_v2, problem
from .v3.bodies import type_name
from .v3.errors import too_large_detail

WRITE_METHODS = {"POST", "PUT", "PATCH"}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def too_large(request):
    return problem(413, too_large_detail(), v2=is_v2(request))


def declared_size(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def checked_body(view):
    """Refuse a body that is too large (413), or a v3 JSON body that is not an object (422)."""

    @functools.wraps(view)
    def view_with_checked_body(request, *args, **kwargs):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        is_form = request.content_type in FORM_TYPES
        if limit is not None and not is_form and declared_size(request) > limit:
            return too_large(request)
        if not is_v2(request) and request.method in WRITE_METHODS and not is_form:
            refused = refuse_non_object(request)
            if refused is not None:
                return refused
        try:
            return view(request, *args, **kwargs)
        except RequestDataTooBig:
            return too_large(request)

    return view_with_checked_body


def refuse_non_object(request):
    if not request.body:
        return None
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):
        return None  # not JSON: the view answers 400 "Cannot parse request body"
    if isinstance(data, dict):
        return None
    return problem(
        422,
        "Validation failed",
        errors=[
            {
                "type": "dict_type",
                "loc": [],
                "msg": f"The request body must be a JSON object, got {type_name(data)}.",
            }
        ],
    )
