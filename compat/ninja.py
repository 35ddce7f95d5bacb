"""django-ninja, as Wagtail's API v3 uses it: two reliances on what ninja does not document.

Wagtail makes the v3 ``NinjaAPI`` instance itself (``wagtail.api.v3.api.api``) and offers it
as the place to add routers. django-ninja's documented way to change a whole OpenAPI document
is a ``NinjaAPI`` subclass overriding ``get_openapi_schema`` (its maintainer's advice in
https://github.com/vitalik/django-ninja/issues/169), which a project cannot use on an instance
made by Wagtail.
"""

import functools


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
    function names.
    """
    return getattr(getattr(run, "__self__", None), "operation_id", None)
