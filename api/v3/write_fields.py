"""Fields a page type's v3 writes take in the shape its readers know.

Wagtail's write schemas take a page type's writable ``APIField``s, each in the shape of its
model field: a foreign key as a number under ``<name>_id``, an inline relation as a list of
its rows. A field the API reads through a serializer (an article's category as an object,
its authors as a list) cannot be writable at all, so an integration importing articles could
not say who wrote them. A page type lists what else its writes take in ``api_write_fields``:
each :class:`WriteField` fills one field (or inline relation) of the page's admin form, from
the JSON key a reader of the API knows, and the OpenAPI document shows it as declared.

Values are taken as sent: the page type's field rules (``api.v3.bodies.check_fields``) read
them, put what the form takes in ``checker.values`` and report each mistake with its key, in
the one 422 that names every mistake of the body. A value they leave alone reaches the form
as sent.

:func:`extend` registers each page type again in Wagtail's v3 registry (its ``register``,
keyed by the type's label) with the fields added to its create and patch schemas, from
``api.apps``: after the registry has built them, before the pages router builds its unions
of them (at its import, like the registry).
"""

import dataclasses
import sys
from dataclasses import dataclass
from typing import Annotated, Any

from django.core.exceptions import ImproperlyConfigured
from pydantic import AliasChoices, WithJsonSchema, create_model
from pydantic import Field as PydanticField


@dataclass(frozen=True)
class WriteField:
    """One field of a page type's writes.

    - ``name``: the field or inline relation of the page's form that the value fills; a
      writable ``APIField`` of that name is replaced.
    - ``keys``: the JSON keys that carry it, the first one shown in the OpenAPI document
      (``name`` by default).
    - ``json_schema``: how the OpenAPI document shows the value.
    - ``on_create``: a function giving the value for a new page that does not send it
      (``None`` otherwise, which the form reads as empty).
    """

    name: str
    json_schema: dict
    description: str
    keys: tuple = ()
    on_create: Any = None

    @property
    def sent_as(self):
        return self.keys or (self.name,)


def write_fields_of(model):
    return list(getattr(model, "api_write_fields", ()))


def keys_of(model, name):
    """The JSON keys that carry the form field ``name`` of ``model``'s writes, or None."""
    for write_field in write_fields_of(model):
        if write_field.name == name:
            return write_field.sent_as
    return None


def _pydantic_field(write_field, *, creating):
    keys = write_field.sent_as
    if creating and write_field.on_create is not None:
        default = {"default_factory": write_field.on_create}
    else:
        default = {"default": None}
    if len(keys) > 1:
        alias = {"validation_alias": AliasChoices(*keys)}
    elif keys[0] != write_field.name:
        alias = {"alias": keys[0]}
    else:
        alias = {}
    annotation = Annotated[Any, WithJsonSchema(write_field.json_schema)]
    return annotation, PydanticField(description=write_field.description, **alias, **default)


def extended(schema, model, *, creating):
    """``schema`` (Wagtail's create or patch schema of ``model``) with its write fields."""
    fields = {
        write_field.name: _pydantic_field(write_field, creating=creating)
        for write_field in write_fields_of(model)
    }
    if not fields:
        return schema
    return create_model(schema.__name__, __base__=schema, __module__=schema.__module__, **fields)


def extend(registry):
    """Add every page type's write fields to its create and patch schemas in ``registry``."""
    if "wagtail.api.v3.routers.pages" in sys.modules:
        raise ImproperlyConfigured(
            "API v3 built its page write schemas before ukiyo added the page types' write "
            "fields: import no wagtail.api.v3 router before the api app is ready."
        )
    from wagtail.models import get_page_models

    for model in get_page_models():
        registration = registry.get(model._meta.label)
        if registration is None or registration.create_schema is None:
            continue
        registry.register(
            dataclasses.replace(
                registration,
                create_schema=extended(registration.create_schema, model, creating=True),
                patch_schema=extended(registration.patch_schema, model, creating=False),
            )
        )
