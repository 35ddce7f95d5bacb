"""django-ninja, as Wagtail's API v3 uses it: three reliances on what ninja does not document.

Wagtail makes the v3 ``NinjaAPI`` instance itself (``wagtail.api.v3.api.api``) and offers it
as the place to add routers. django-ninja's documented way to change a whole OpenAPI document
is a ``NinjaAPI`` subclass overriding ``get_openapi_schema`` (its maintainer's advice in
https://github.com/vitalik/django-ninja/issues/169), which a project cannot use on an instance
made by Wagtail.
"""

import functools
import inspect


def postprocess_openapi(api, build):
    """Make ``build(generate) -> document`` write ``api``'s OpenAPI document, where
    ``generate()`` returns the document ninja would have written.

    Replaces the instance's ``get_openapi_schema`` (which ninja's ``openapi.json`` view calls
    on the instance), once: a second call is a programming error.
    """
    if getattr(api.get_openapi_schema, "ukiyo_postprocessed", False):
        raise RuntimeError("The OpenAPI document already has its post-processor.")
    original = api.get_openapi_schema

    @functools.wraps(original)
    def get_openapi_schema(*args, **kwargs):
        return build(lambda: original(*args, **kwargs))

    get_openapi_schema.ukiyo_postprocessed = True
    api.get_openapi_schema = get_openapi_schema


def operation_id(run):
    """The OpenAPI ``operationId`` of the operation a ``mode="view"`` router decorator wraps.

    ``Router.add_decorator(decorator, mode="view")`` is documented; what the decorator gets is
    not: ninja hands it the bound ``Operation.run``, whose operation carries its id. The id is
    the published contract's name of the operation (``pages_update``), steadier than Wagtail's
    function names. A decorator applied before (one of the API's own, which ninja applies
    first) is looked through, as long as it keeps ``__wrapped__`` (``functools.wraps``).
    """
    return getattr(getattr(inspect.unwrap(run), "__self__", None), "operation_id", None)


def require_serialized_fields():
    """Answers' schemas in the OpenAPI document name as required every field an answer has.

    ninja writes an answer with every field of its schema (an operation may ask it to leave
    out unset, default or null values; none of the API's does), but documents the schema as
    pydantic does for input: a field with a default is optional, so a generated client makes
    every reader check for a field that is always there. Pydantic's own remedy, the
    ``json_schema_serialization_defaults_required`` setting, is per schema class, and ninja
    and Wagtail make most of them. This makes ninja's JSON schema generator treat every
    answer's field as required, except one that its schema leaves out of some answers
    (``exclude_if``); a ``TypedDict``'s keys keep what the type says. Request bodies keep
    pydantic's rule: a field with a default may be left out there.

    Replaces the generator class that ``ninja.openapi.schema`` names when it builds schemas.
    Upstream: https://github.com/vitalik/django-ninja/issues/907 (input and output schemas
    are one; https://github.com/vitalik/django-ninja/pull/1139 proposed the same rule).
    """
    from ninja.openapi import schema as openapi_schema

    generator = openapi_schema.NinjaGenerateJsonSchema
    if getattr(generator, "ukiyo_serialized_fields_required", False):
        return

    class SerializedFieldsRequired(generator):
        ukiyo_serialized_fields_required = True

        def field_is_required(self, field, total):
            if self.mode == "serialization" and field["type"] != "typed-dict-field":
                return field.get("serialization_exclude_if") is None
            return super().field_is_required(field, total)

    openapi_schema.NinjaGenerateJsonSchema = SerializedFieldsRequired
