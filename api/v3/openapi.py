"""The one post-processor of the v3 OpenAPI document (``/api/v3/openapi.json``).

What ninja cannot express from the views, in one place and one order:

1. **English.** The contract is written for developers, in English, whatever the site's
   language: field titles and descriptions come from translatable model labels, which stay
   lazy until the document is written out. It is written out under English here.
2. **Find.** ``find``'s ``locale`` and ``fallback``, which ukiyo reads beside Wagtail's
   parameters, and what its ``html_path`` takes; the parameters its redirect keeps for the
   page's detail (``rich_text_format``; ``site``, which the detail reads too). Every v3
   operation refuses a query parameter the document does not declare (``api.v3.params``).
3. **Writes.** The ``If-Match`` header of the page writes (required on PATCH), the ``ETag``
   of their answers, and their 412, 422, 423 and 428 problem answers (``api.v3.pages``).
4. **A valid document.** Wagtail 8.0.1 declares anonymous access as a security scheme
   ``{"type": "http"}`` without the ``scheme`` OpenAPI requires (``AllowAnonymous``), so
   validators and code generators reject the whole document. OpenAPI's own way to say "a
   token is optional" is an empty requirement ``{}`` next to the token's: the scheme is
   dropped and its uses become ``{}``. Upstream: none filed yet; django-ninja's
   https://github.com/vitalik/django-ninja/issues/1442 asks for optional authentication.
5. **Errors.** Every error an operation can answer, as the problem it is
   (``application/problem+json``, ``ProblemDetail``), and ``find``'s redirect: a generated
   client then types them instead of ``never``.
6. **Pages told apart by ``type``.** What the pages detail, ``find``, the preview and the
   page writes answer is one component, ``Page``: the union of the page schemas with
   OpenAPI's ``discriminator`` on the ``type`` every page answer carries
   (``api.v3.read_schemas``), and its mapping. Code generators make a tagged union of it,
   which TypeScript narrows on ``page.type``.
7. **Bodies generators can read.** ninja declares an optional request body whose schema has
   defaults (``actions/unpublish/``, ``copy/``, ``create_alias/``) as ``allOf`` of the
   schema with the defaults beside it, which openapi-python-client cannot make a model of
   (it skipped the three operations): the body is the schema itself; each of its
   properties says its default.
8. **What a write says of publishing.** The page writes that can publish answer with
   ``meta.live`` and ``meta.scheduled_at`` (``api.v3.pages.with_publishing_state``): every
   page type's meta declares them, optional, as reads leave them out.

Installed by ``api.apps`` with ``compat.ninja.postprocess_openapi``.
"""

import copy
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from wagtail.api.v3.errors import ProblemDetail
from wagtail.models import get_page_models

from .pages import (
    BODY_OPERATIONS,
    DETAIL,
    FIND,
    IF_MATCH_REQUIRED,
    LOCKED_OPERATIONS,
    PRECONDITION_OPERATIONS,
    TAGGED_OPERATIONS,
)
from .snippets import WRITES as SNIPPET_WRITES

PROBLEM = {"$ref": "#/components/schemas/ProblemDetail"}
PROBLEM_JSON = "application/problem+json"


def build(generate):
    with translation.override("en"):
        document = document_find(document_writes(generate()))
        document = json.loads(json.dumps(document, cls=DjangoJSONEncoder))
    document = document_errors(optional_token(document))
    return plain_request_bodies(publishing_state(discriminated_pages(document)))


def operations(document):
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                yield operation


def problem_schema():
    """``ProblemDetail`` as problems are written: ``detail`` always, ``errors`` and the other
    members only when they say something (``api.problems``)."""
    schema = ProblemDetail.model_json_schema()
    schema["required"] = [*schema["required"], "detail"]
    return schema


def document_writes(document):
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDetail"] = problem_schema()
    for operation in operations(document):
        operation_id = operation.get("operationId")
        responses = operation.setdefault("responses", {})
        if operation_id in PRECONDITION_OPERATIONS:
            required = operation_id in IF_MATCH_REQUIRED
            operation.setdefault("parameters", []).append(
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": required,
                    "description": (
                        "The ETag of your last read of the page (with your token). If the "
                        "page changed since, nothing is saved and the answer is 412."
                        + (" Without it the answer is 428; * overwrites." if required else "")
                    ),
                    "schema": {"type": "string"},
                }
            )
            responses[412] = {
                "description": "The page changed since the ETag sent in If-Match.",
                "content": {"application/problem+json": {"schema": PROBLEM}},
            }
            if required:
                responses[428] = {
                    "description": "No If-Match header: read the page and send its ETag.",
                    "content": {"application/problem+json": {"schema": PROBLEM}},
                }
        if operation_id in LOCKED_OPERATIONS:
            responses[423] = {
                "description": (
                    "The page is locked for you (by another editor, a workflow task or a "
                    "schedule); lock says which. Nothing is changed."
                ),
                "content": {"application/problem+json": {"schema": PROBLEM}},
            }
        if operation_id in BODY_OPERATIONS:
            responses[422] = {
                "description": (
                    "The body is not valid; each entry of errors names its path (loc) and "
                    "says why (msg). Nothing is saved."
                ),
                "content": {"application/problem+json": {"schema": PROBLEM}},
            }
        if operation_id in TAGGED_OPERATIONS:
            for status, answer in responses.items():
                if str(status) in ("200", "201") and isinstance(answer, dict):
                    answer.setdefault("headers", {})["ETag"] = {
                        "description": (
                            "With a token: the page's revision tag, to send back in If-Match."
                        ),
                        "schema": {"type": "string"},
                    }
    return document


FIND_PARAMETERS = {
    "html_path": (
        "The path readers see the page at, language prefix included (/ja/articles/…), as "
        "typed or percent-encoded as location.pathname gives it."
    ),
    "locale": (
        "The page's version in this language (ja, en, zh-hans…): articles only, redirected "
        "to the article in a language; 400 for any other page."
    ),
    "fallback": (
        "Comma-separated languages to use, in order, when the article has no live version in "
        "locale (e.g. en,ja). Needs locale."
    ),
}


# What the page's detail reads beside what Wagtail declares: find's redirect keeps it.
DETAIL_PARAMETERS = {
    "site": (
        "Without a token: the site (host[:port]) the page must belong to, as find's redirect "
        "keeps it; a page of another site is a 404."
    ),
}
RICH_TEXT_FORMAT = "rich_text_format"


def document_find(document):
    """``find``'s reader paths and its languages (``api.v3.pages.find_in_language``), which
    ukiyo reads from the query string beside Wagtail's parameters, and what its redirect
    passes on to the detail, which the detail then declares."""
    by_id = {operation.get("operationId"): operation for operation in operations(document)}
    if FIND in by_id:
        declare_parameters(by_id[FIND], FIND_PARAMETERS)
    if DETAIL in by_id:
        declare_parameters(by_id[DETAIL], DETAIL_PARAMETERS)
        passed_on = next(
            (
                parameter
                for parameter in by_id[DETAIL].get("parameters", [])
                if parameter.get("name") == RICH_TEXT_FORMAT
            ),
            None,
        )
        if FIND in by_id and passed_on is not None:
            description = "Passed on to the detail the redirect leads to."
            declare_parameters(by_id[FIND], {RICH_TEXT_FORMAT: description}, like=passed_on)
    return document


def declare_parameters(operation, descriptions, *, like=None):
    """Query parameters ``{name: description}`` of ``operation``: optional strings, or
    typed as ``like`` is."""
    parameters = operation.setdefault("parameters", [])
    named = {parameter.get("name"): parameter for parameter in parameters}
    for name, description in descriptions.items():
        if name not in named:
            named[name] = {"name": name, "in": "query", "required": False}
            schema = like["schema"] if like else {"anyOf": [{"type": "string"}, {"type": "null"}]}
            named[name]["schema"] = copy.deepcopy(schema)
            parameters.append(named[name])
        named[name]["description"] = description


def optional_token(document):
    schemes = document.get("components", {}).get("securitySchemes", {})
    anonymous = {name for name, scheme in schemes.items() if scheme == {"type": "http"}}
    for name in anonymous:
        del schemes[name]
    for operation in operations(document):
        if "security" in operation:
            operation["security"] = [
                {} if set(requirement) & anonymous else requirement
                for requirement in operation["security"]
            ]
    return document


# What each error means, as the document says it.
ERRORS = {
    400: (
        "A query value (or a request body) the operation cannot use: the problem names it "
        "(errors[].loc for query parameters)."
    ),
    401: "No valid API token: this operation needs one (Authorization: Bearer <token>).",
    403: "The token's user may not do this (to this page or snippet).",
    404: (
        "Nothing here for this caller: no such object, an unknown language or site, a page "
        "that is not published (drafts and private pages answer as if they did not exist)."
    ),
    409: "A write saved at the same time conflicts with this one (a slug): read again, retry.",
    413: "The request body is larger than the API accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).",
    422: "The body is not valid: each entry of errors names its path (loc) and says why (msg).",
    429: "Too many searches from this address: retry after Retry-After seconds.",
}
# Query parameters that name something which may not exist: an unknown one is a 404.
LOOKUP_PARAMETERS = {"locale", "site", "html_path", "id"}
SEARCH_PARAMETERS = {"search", "q"}
WRITES = {"post", "put", "patch"}


def operation_errors(method, operation):
    """The statuses of the errors ``operation`` can answer, besides those it declares."""
    parameters = operation.get("parameters", [])
    in_path = any(parameter.get("in") == "path" for parameter in parameters)
    query = {parameter.get("name") for parameter in parameters if parameter.get("in") == "query"}
    token_required = "security" in operation and {} not in operation["security"]
    statuses = {400}  # every endpoint refuses a query nobody can use (api.params)
    if token_required:
        statuses |= {401, 403}
    if in_path or query & LOOKUP_PARAMETERS:
        statuses.add(404)
    if method in WRITES:
        statuses |= {413, 422}  # every JSON body must be an object (api.limits)
    if operation.get("operationId") in SNIPPET_WRITES:
        statuses.add(409)
    if query & SEARCH_PARAMETERS and operation.get("operationId") != "articles_autocomplete":
        statuses.add(429)
    return statuses


def document_errors(document):
    """Every error as a problem, declared on every operation that can answer it."""
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in operation_errors(method, operation):
                responses.setdefault(str(status), {"description": ERRORS[status]})
            for status, answer in list(responses.items()):
                if int(status) >= 400:
                    # ninja declares ProblemDetail answers as application/json; they are
                    # served as problems.
                    responses[status] = {
                        **answer,
                        "content": {PROBLEM_JSON: {"schema": PROBLEM}},
                    }
            if operation.get("operationId") in FIND_REDIRECTS:
                document_find_redirect(responses, operation["operationId"])
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))
    return document


# What each ``find`` redirects to: pages' (``api.v3.pages``), and Wagtail's redirects'.
FIND_REDIRECTS = {
    FIND: (
        "a redirect to the page's detail (pages_detail), or with locale to the article in a "
        "language (articles_detail)",
        "The page, once the redirect (302) is followed.",
    ),
    "redirects_find": (
        "a redirect to the redirect's detail (redirects_detail)",
        "The redirect, once the redirect (302) is followed.",
    ),
}


def document_find_redirect(responses, operation_id):
    leads_to, followed = FIND_REDIRECTS[operation_id]
    responses["302"] = {
        "description": f"Found: {leads_to}; a client that follows it gets the 200.",
        "headers": {
            "Location": {"description": "Where it leads.", "schema": {"type": "string"}},
            "ETag": {
                "description": "Names where the redirect leads.",
                "schema": {"type": "string"},
            },
        },
    }
    if "200" in responses:
        responses["200"]["description"] = followed


PAGE = "Page"
PAGE_UNION = "A page of any type, told apart by type (the same as meta.type)."


def discriminated_pages(document):
    """Every union of page schemas becomes the ``Page`` component, a union discriminated by
    the ``type`` each page answer carries: generated clients then name it (``Page``) rather
    than repeat it in each operation."""
    schemas = document.get("components", {}).get("schemas", {})
    labels = {model._meta.label for model in get_page_models()}

    def page_type(member):
        schema = schemas.get(member.get("$ref", "").rsplit("/", 1)[-1], {})
        if "type" not in schema.get("required", ()):
            return None
        label = schema["properties"]["type"].get("const")
        return label if label in labels else None

    unions = []

    def visit(node):
        if isinstance(node, dict):
            members = node.get("oneOf")
            if members and all(page_type(member) for member in members):
                unions.append(node)
                return
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(document.get("paths", {}))
    visit(schemas)
    if not unions:
        return document

    def discriminator(members):
        mapping = {page_type(member): member["$ref"] for member in members}
        return {"propertyName": "type", "mapping": mapping}

    members = unions[0]["oneOf"]
    schemas[PAGE] = {
        "title": PAGE,
        "description": PAGE_UNION,
        "oneOf": members,
        "discriminator": discriminator(members),
    }
    for union in unions:
        if union["oneOf"] == members:
            union.clear()
            union["$ref"] = f"#/components/schemas/{PAGE}"
        else:  # some page types only: told apart the same way
            union["discriminator"] = discriminator(union["oneOf"])
    return document


# What a publishing write adds to its page's meta; reads leave them out.
PUBLISHING_STATE = {
    "live": {
        "type": "boolean",
        "title": "Live",
        "description": (
            "In the answer of a write that can publish (create, PATCH, publish, unpublish, "
            "revert) only: whether the page is live now."
        ),
    },
    "scheduled_at": {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}],
        "title": "Scheduled At",
        "description": (
            "In the answer of a write that can publish only: when the version scheduled to go "
            "live does so (UTC), or null if none is."
        ),
    },
}


def publishing_state(document):
    """``meta.live`` and ``meta.scheduled_at`` declared on the meta of every page type."""
    schemas = document.get("components", {}).get("schemas", {})
    for member in schemas.get(PAGE, {}).get("oneOf", []):
        page = schemas.get(member.get("$ref", "").rsplit("/", 1)[-1], {})
        meta = page.get("properties", {}).get("meta", {}).get("$ref", "")
        meta_schema = schemas.get(meta.rsplit("/", 1)[-1])
        if meta_schema is not None:
            meta_schema.setdefault("properties", {}).update(copy.deepcopy(PUBLISHING_STATE))
    return document


def plain_request_bodies(document):
    """A request body ``{"allOf": [schema], "default": ...}`` becomes the schema itself."""
    for operation in operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            schema = media.get("schema", {})
            if set(schema) == {"allOf", "default"} and len(schema["allOf"]) == 1:
                media["schema"] = schema["allOf"][0]
    return document
