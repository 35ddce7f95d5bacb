"""Every v3 operation takes the query parameters its OpenAPI document declares, and no other.

ukiyo's own endpoints list what they read (``api.params``); Wagtail's operations took anything
and ignored what they did not know, so ``/api/v3/pages/57/?locale=th`` answered the Japanese
page as if Thai had been found, and ``?local=en`` listed every language. The document is the
contract a frontend generates its client from: what it declares for an operation is what the
operation reads, and a parameter it does not declare is a 400 naming it, as ukiyo's endpoints
answer it.

Wagtail's listings (pages, images, documents, snippets, redirects) also filter by the API
fields of what they list (``?slug=…``), which no document can enumerate: there a name that is
neither declared nor such a field of the listed model is refused, the fields being those
Wagtail's listing filters by (``APIFieldValidator`` over the model's ``api_fields`` and the
listing's base fields).
"""

import functools
import re

from django.utils import translation

from api.params import unknown_parameters


def _page_listing(request):
    """The model a pages listing filters fields of: the one ``type`` it names, else Page."""
    from wagtail.api.v3.schemas.pages import BASE_PAGE_READ_FIELDS
    from wagtail.coreutils import resolve_model_string
    from wagtail.models import Page

    names = [name for value in request.GET.getlist("type") for name in value.split(",") if name]
    model = resolve_model_string(names[0]) if len(names) == 1 else Page
    return model, BASE_PAGE_READ_FIELDS


def _image_listing(request):
    from wagtail.images import get_image_model
    from wagtail.images.api.v3.router import BASE_IMAGE_READ_FIELDS

    return get_image_model(), BASE_IMAGE_READ_FIELDS


def _document_listing(request):
    from wagtail.documents import get_document_model
    from wagtail.documents.api.v3.router import BASE_DOCUMENT_READ_FIELDS

    return get_document_model(), BASE_DOCUMENT_READ_FIELDS


def _snippet_listing(request):
    from wagtail.coreutils import resolve_model_string

    model = resolve_model_string(request.resolver_match.kwargs.get("type", ""))
    return model, [model._meta.pk.name]


def _redirect_listing(request):
    from wagtail.contrib.redirects.api.v3.router import BASE_REDIRECT_READ_FIELDS
    from wagtail.contrib.redirects.models import Redirect

    return Redirect, BASE_REDIRECT_READ_FIELDS


# The listings that take field filters beside their declared parameters: what they list.
FIELD_FILTER_OPERATIONS = {
    "pages_list": _page_listing,
    "images_list": _image_listing,
    "documents_list": _document_listing,
    "snippets_list": _snippet_listing,
    "redirects_list": _redirect_listing,
}
_CONVERTED = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


@functools.cache
def declared_query_parameters():
    """``{(path template, method): (operationId, names)}`` from the v3 document, made once
    per process (the document changes only with a deployment)."""
    from wagtail.api.v3.api import api

    with translation.override("en"):
        document = api.get_openapi_schema()
    declared = {}
    for path, path_item in document.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            names = frozenset(
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query"
            )
            declared[(path, method.upper())] = (operation.get("operationId"), names)
    return declared


def undeclared_parameters(request):
    """The query parameters of ``request`` that its v3 operation does not declare, sorted;
    empty for a path or method the document has no operation for (the view answers it)."""
    match = getattr(request, "resolver_match", None)
    if not request.GET or match is None:
        return []
    template = "/" + _CONVERTED.sub(r"{\1}", match.route)
    method = "GET" if request.method == "HEAD" else request.method
    operation_id, known = declared_query_parameters().get((template, method), (None, None))
    if known is None:
        return []
    unknown = unknown_parameters(request.GET, known)
    if unknown and operation_id in FIELD_FILTER_OPERATIONS:
        unknown = not_field_filters(request, FIELD_FILTER_OPERATIONS[operation_id], unknown)
    return unknown


def not_field_filters(request, listed, names):
    """Those of ``names`` that the listing does not filter by."""
    from wagtail.api.validators import APIFieldValidator

    try:
        model, base_fields = listed(request)
    except (LookupError, ValueError):
        return []  # an unknown type: the listing answers it
    fields = APIFieldValidator(
        model=model, fields=names, base_fields=base_fields, db_fields_only=True, skip_invalid=True
    ).fields
    return [name for name in names if name not in fields]
