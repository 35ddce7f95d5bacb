"""What a page type's v3 read schema says of its JSON, beyond what Wagtail generates.

- **Its type, at the top.** Every page answer (the pages detail, ``find``, the preview, the
  article in a language, a write's answer) carries ``type``, the page type as ``meta.type``
  names it. Wagtail's union of page schemas tells them apart by ``meta.type``, which neither
  OpenAPI's ``discriminator`` (a property of the union's members) nor TypeScript (a nested
  property does not narrow the object holding it) can use: with ``type`` at the top, the
  document declares the union with a discriminator (``api.v3.openapi``), and a frontend's
  ``if (page.type === "news.ArticlePage") page.body`` type-checks.
- **Null only where it can be.** Wagtail types every field read through a serializer as
  nullable, and ninja every text field that may be left blank: a generated client then makes
  frontends check ``alternates`` or ``subtitle`` for a ``null`` that never comes. A field
  read from a model column is nullable if the column is (``null=True``); a field read through
  a serializer if its ``to_representation`` return type says so, or if what it reads is a
  nullable column (a lead image's renditions, when there is no lead image).

Which fields are required is the OpenAPI document's business: every field of an answer is
there (``compat.ninja.require_serialized_fields``).

:func:`extend` registers each page type again in Wagtail's v3 registry (its ``register``,
which other apps are meant to call from their ``ready()``, keyed by the type's label) with the
read schema completed, from ``api.apps``: after the registry has built them, before the pages
router builds its union of them (at its import).
"""

import copy
import dataclasses
import sys
import types
import typing
from typing import Literal, Union

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from pydantic import Field
from wagtail.api import APIField

# Fields of every page's meta read from a column of Wagtail's page that cannot be null.
META_COLUMNS = ("seo_title", "search_description", "show_in_menus")


def extend(registry):
    """Give every page type's read schema in ``registry`` its ``type`` and true nullability."""
    if "wagtail.api.v3.routers.pages" in sys.modules:
        raise ImproperlyConfigured(
            "API v3 built its union of page schemas before ukiyo completed them: import no "
            "wagtail.api.v3 router before the api app is ready."
        )
    from wagtail.models import get_page_models

    for model in get_page_models():
        registration = registry.get(model._meta.label)
        if registration is None or registration.read_schema is None:
            continue
        registry.register(
            dataclasses.replace(registration, read_schema=extended(registration.read_schema, model))
        )


def extended(schema, model):
    if "type" in schema.model_fields:
        raise ImproperlyConfigured(
            f"{model._meta.label} has an API field named type: a page answer's type is its "
            "page type (as meta.type), by which clients tell page types apart."
        )
    label = model._meta.label
    annotations = {"type": Literal[label]}
    namespace = {
        "type": Field(
            description=f"The page type, always {label} here: the same as meta.type, for "
            "telling the types of a page answer apart."
        ),
        "resolve_type": staticmethod(lambda page: label),
    }
    for name, field_info in schema.model_fields.items():
        if name == "meta":
            meta = field_info.annotation
            annotations["meta"] = subclass(meta, not_null(meta, META_COLUMNS))
        elif nullable(field_info.annotation) and not can_be_null(model, name):
            annotations[name], namespace[name] = not_null_field(field_info)
    return subclass(schema, (annotations, namespace))


def subclass(schema, fields):
    """A subclass of ``schema`` of the same name, with ``fields`` (annotations, namespace).

    Made by the schema's own metaclass: ninja gathers ``resolve_*`` methods as the class is
    made."""
    annotations, namespace = fields
    if not annotations:
        return schema
    namespace = {**namespace, "__annotations__": annotations, "__module__": schema.__module__}
    return type(schema)(schema.__name__, (schema,), namespace)


def not_null(schema, names):
    annotations, namespace = {}, {}
    for name in names:
        field_info = schema.model_fields.get(name)
        if field_info is not None and nullable(field_info.annotation):
            annotations[name], namespace[name] = not_null_field(field_info)
    return annotations, namespace


def not_null_field(field_info):
    """(annotation, field) of ``field_info`` without ``None`` in its type."""
    members = [arg for arg in typing.get_args(field_info.annotation) if arg is not type(None)]
    annotation = members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007
    field_info = copy.copy(field_info)
    field_info.annotation = annotation
    return annotation, field_info


def nullable(annotation):
    origin = typing.get_origin(annotation)
    return origin in (Union, types.UnionType) and type(None) in typing.get_args(annotation)


def can_be_null(model, name):
    """Whether the page field ``name`` of ``model`` can be null in an answer."""
    fields = APIField.get_fields_for_model(model)
    serializer = next((field.serializer for field in fields if field.name == name), None)
    if serializer is None:
        return column_can_be_null(model, name, otherwise=True)
    try:
        returned = typing.get_type_hints(serializer.to_representation)["return"]
    except (KeyError, NameError):
        return True  # its type is not said: nullable, as Wagtail types it
    # What it reads may be a nullable column (``source="lead_image"``); a related manager or a
    # property gives a value whose representation the return type describes.
    source = (serializer.source or name).split(".")[0]
    return nullable(returned) or column_can_be_null(model, source, otherwise=False)


def column_can_be_null(model, name, *, otherwise):
    """Whether the column ``name`` of ``model`` can be null; ``otherwise`` for anything that is
    not a column (a property, a reverse relation)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return otherwise
    return field.null if field.concrete else otherwise
