"""Wagtail's API: four patches of v3, applied by ``api.apps.ApiConfig.ready``, and two mixins
for v2's endpoints and serializers (``SerializerClassesMadeOnce``, ``FieldsBuiltOnce``).

Each function imports the Wagtail modules it changes when it is called, not when this module
is imported: Wagtail builds every v3 page schema the first time ``wagtail.api.v3.registry`` is
imported, and StreamFields must be typed before that.
"""

import copy
import functools
import sys

from django.core.exceptions import ImproperlyConfigured


def type_streamfields(schema_for):
    """Give v3's read schemas a typed StreamField wherever ``schema_for(field)`` returns one.

    Wagtail 8.0 types every StreamField as ``list[Any]``: the OpenAPI document says nothing
    of the blocks, and code generators produce ``Any``. ``schema_for(field)`` returns
    ``(type, default, resolver)`` for a field it knows, or None to keep Wagtail's.

    Relies on ``SchemaGenerator.register_field_schema``, which has a docstring but is not in
    Wagtail's documentation; the v3 docs list "no public registry to contribute a block-level
    OpenAPI schema" as a known limitation (docs/advanced_topics/api/v3/streamfield.md; the
    long-standing request is https://github.com/wagtail/wagtail/issues/6495). Wagtail's main
    branch builds typed block schemas itself (``schemas/generators/blocks_read.py``): after an
    upgrade that ships it, compare and drop this.
    """
    if "wagtail.api.v3.registry" in sys.modules:
        raise ImproperlyConfigured(
            "API v3 built its page schemas before ukiyo typed the StreamFields: keep ukiyo's "
            "apps above the wagtail apps in INSTALLED_APPS, and import no wagtail.api.v3 "
            "module while models load."
        )
    from wagtail.api.v3.schemas.generators.read import read_generator, streamfield_schema
    from wagtail.fields import StreamField

    def field_schema(generator, field):
        return schema_for(field) or streamfield_schema(generator, field)

    read_generator.register_field_schema(StreamField, field_schema)


def resolve_page_parent_with(resolve):
    """Make ``resolve(page, context)`` give ``meta.parent`` of every v3 page detail.

    Wagtail 8.0.1's ``PageMetaSchema.resolve_parent`` returns ``page.get_parent()`` whatever it
    is: the detail of a live page under an unpublished section printed that section's title,
    and every top page named the tree's root. v2's parent field only names a parent its caller
    could read. Upstream: the field came with https://github.com/wagtail/wagtail/pull/14464
    ("v2 parity of page read fields"); no issue reports the difference yet.

    django-ninja copies each schema's resolvers into ``_ninja_resolvers`` when the class is
    made (its own, private registry), and every page type's meta schema is a subclass made
    from ``PageMetaSchema``: the resolver is swapped in all of them.
    """
    from ninja.schema import Resolver
    from wagtail.api.v3.schemas.pages import PageMetaSchema

    resolver = Resolver(staticmethod(resolve))
    schemas = [PageMetaSchema]
    while schemas:
        schema = schemas.pop()
        schema._ninja_resolvers["parent"] = resolver
        schemas.extend(schema.__subclasses__())


def refuse_unusable_filter_values():
    """``?user_id=abc`` (revision listings) and ``?translation_of=abc`` (snippet listings)
    answer 400 naming the parameter, not 500.

    Wagtail 8.0.1 hands both values to a database lookup unchecked (``RevisionFilterSchema``
    types ``user_id`` as ``int | str``; ``TranslationFilterSchema`` catches ``DoesNotExist``
    only), so Django's ``ValueError`` escapes as a 500. Upstream: the same bug in v2 was
    https://github.com/wagtail/wagtail/issues/7011 (fixed by #7023); none filed for v3 yet.
    """
    from wagtail.api.v3.errors import as_validation_error
    from wagtail.api.v3.schemas.params import RevisionFilterSchema, TranslationFilterSchema

    def checked(schema, method_name, parameter):
        method = getattr(schema, method_name)

        @functools.wraps(method)
        def filter_or_refuse(self, queryset, *args, **kwargs):
            try:
                return method(self, queryset, *args, **kwargs)
            except ValueError as error:
                message = f"Invalid value for {parameter}."
                raise as_validation_error(error, message, loc=("query", parameter)) from error

        setattr(schema, method_name, filter_or_refuse)

    checked(RevisionFilterSchema, "filter", "user_id")
    checked(TranslationFilterSchema, "filter_queryset", "translation_of")


def keep_list_item_ids():
    """v3 writes keep the ids of ``ListBlock`` items that a body gives in the block format.

    ``wagtail.api.v3.form_data.flatten_block_value`` turns a write's JSON into admin form
    data. It passes on the ids of stream children but never those of list items, so every
    PATCH gave every list item a new id, and wagtail-localize, which keys each translated
    segment by the ids on its path, lost the translations of every list item. Items in the
    block format (``{"type": "item", "value": …, "id": …}``, which ``api.v3.bodies`` produces)
    now keep theirs; plain values behave as before.

    Upstream: https://github.com/wagtail/wagtail/issues/14310 asked for supplied ids to be
    kept; v3's documented write format has no ids for list items, so nothing to revisit until
    it does.

    The function calls itself through the module's global name: replacing that name makes
    every level, and every caller in ``form_data``, use this version.
    """
    from wagtail import blocks
    from wagtail.api.v3 import form_data

    wagtail_flatten = form_data.flatten_block_value

    def flatten_block_value(block, value, prefix, data):
        if not isinstance(block, blocks.ListBlock):
            return wagtail_flatten(block, value, prefix, data)
        items = value or []
        data[f"{prefix}-count"] = str(len(items))
        for i, item in enumerate(items):
            data[f"{prefix}-{i}-deleted"] = ""
            data[f"{prefix}-{i}-order"] = str(i)
            if is_list_item_in_block_format(item):
                if item["id"]:
                    data[f"{prefix}-{i}-id"] = item["id"]
                item = item["value"]
            form_data.flatten_block_value(block.child_block, item, f"{prefix}-{i}-value", data)

    flatten_block_value.upstream = wagtail_flatten
    form_data.flatten_block_value = flatten_block_value


def is_list_item_in_block_format(item):
    """A stored ``ListBlock`` item with its id (Wagtail's JSON format since 2.16)."""
    return isinstance(item, dict) and "id" in item and "value" in item


# -- API v2 --------------------------------------------------------------------------------


class SerializerClassesMadeOnce:
    """For a subclass of Wagtail's v2 ``BaseAPIViewSet``: each serializer class is made once
    per process for a model and the fields asked for, not on every request.

    Wagtail 8.0's ``BaseAPIViewSet._get_serializer_class`` makes a new class with ``type()``
    on every call, and one more for each related object it nests, although the class depends
    only on its arguments (the router, the model, the fields asked for with ``?fields=``,
    detail or nested). Django REST framework then builds every field of a new class from the
    model again (``FieldsBuiltOnce``). The classes are kept, the 256 most recently used:
    ``?fields=`` comes from callers. Not reported upstream; v3 has no such cost.
    """

    @classmethod
    def _get_serializer_class(cls, router, model, fields_config, show_details=False, nested=False):
        return _serializer_class(cls, router, model, _frozen(fields_config), show_details, nested)


@functools.lru_cache(maxsize=256)
def _serializer_class(viewset, router, model, fields_config, show_details, nested):
    return super(SerializerClassesMadeOnce, viewset)._get_serializer_class(
        router, model, fields_config, show_details=show_details, nested=nested
    )


def _frozen(fields_config):
    """``fields_config`` (``parse_fields_parameter``'s list of ``(name, negated, sub-fields)``)
    as nested tuples, which ``lru_cache`` can use as a key."""
    return tuple(
        (name, negated, _frozen(sub_fields) if sub_fields else sub_fields)
        for name, negated, sub_fields in fields_config or ()
    )


class FieldsBuiltOnce:
    """For a Django REST framework ``ModelSerializer`` whose classes are made once
    (``SerializerClassesMadeOnce``): its fields are built from the model once per class, and
    each serializer gets its own copies of them, as DRF gives each one copies of its declared
    fields (``Field.__deepcopy__`` makes a new field from the same arguments).

    ``ModelSerializer.get_fields`` builds every field again for each serializer, whatever
    its class; its result depends only on the class (``Meta``, the declared fields, Wagtail's
    ``child_serializer_classes``).
    """

    def get_fields(self):
        built = type(self).__dict__.get("_ukiyo_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._ukiyo_fields_built = built
        return copy.deepcopy(built)
