"""compat.wagtail_api: each patch still needed, and still applied.

Each "still" test checks the upstream behaviour a patch works around: when an upgrade fixes
it, the test fails, and the patch can go (after checking that ukiyo's own tests still pass
without it).
"""

import inspect
from typing import Any

import pytest
from django.utils.datastructures import MultiValueDict
from wagtail import blocks
from wagtail.api.v2.utils import parse_fields_parameter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3 import form_data
from wagtail.api.v3.schemas.generators.read import read_generator, streamfield_schema
from wagtail.api.v3.schemas.pages import PageMetaSchema
from wagtail.api.v3.schemas.params import RevisionFilterSchema, TranslationFilterSchema
from wagtail.models import Revision

from api.access import visible_parent
from api.v2.pages import PagesEndpoint
from api.v2.router import router as ROUTER
from news.models import ArticlePage, Category

# -- type_streamfields ---------------------------------------------------------------------


def test_wagtail_still_types_streamfields_as_a_list_of_anything():
    field = ArticlePage._meta.get_field("body")
    schema, _default, _resolver = streamfield_schema(read_generator, field)
    assert schema == list[Any]


def test_the_field_schema_registry_still_takes_a_function_per_field_class():
    assert "field_class" in inspect.signature(read_generator.register_field_schema).parameters


# -- resolve_page_parent_with --------------------------------------------------------------


def test_wagtail_still_names_any_parent():
    assert "return obj.get_parent()" in inspect.getsource(PageMetaSchema.resolve_parent)


def test_every_page_meta_schema_resolves_the_parent_with_ukiyos_rule():
    schemas, seen = [PageMetaSchema], 0
    while schemas:
        schema = schemas.pop()
        assert schema._ninja_resolvers["parent"]._func is visible_parent
        schemas.extend(schema.__subclasses__())
        seen += 1
    assert seen > 1  # Wagtail's page types have their own meta schemas


# -- refuse_unusable_filter_values ---------------------------------------------------------


@pytest.mark.django_db
def test_wagtail_still_hands_a_non_numeric_user_id_to_the_database():
    upstream = RevisionFilterSchema.filter.__wrapped__
    with pytest.raises(ValueError):
        list(upstream(RevisionFilterSchema(user_id="abc"), Revision.objects.all()))


@pytest.mark.django_db
def test_wagtail_still_hands_a_non_numeric_translation_of_to_the_database():
    upstream = TranslationFilterSchema.filter_queryset.__wrapped__
    with pytest.raises(ValueError):
        upstream(TranslationFilterSchema(translation_of="abc"), Category.objects.all())


# -- keep_list_item_ids --------------------------------------------------------------------

LIST = blocks.ListBlock(blocks.CharBlock())
ITEMS = [{"type": "item", "value": "Moon", "id": "1d3c5a9e-0000-4000-8000-000000000001"}]


def test_wagtail_still_drops_list_item_ids():
    data = MultiValueDict()
    form_data.flatten_block_value.upstream(LIST, ["Moon"], "items", data)
    assert "items-0-id" not in data
    assert "items-0-value" in data


def test_writes_keep_list_item_ids():
    data = MultiValueDict()
    form_data.flatten_block_value(LIST, ITEMS, "items", data)
    assert data["items-0-id"] == ITEMS[0]["id"]
    assert data["items-0-value"] == "Moon"


# -- SerializerClassesMadeOnce, FieldsBuiltOnce (API v2) -----------------------------------

DETAIL_FIELDS = parse_fields_parameter("*,-body")


def test_wagtail_still_makes_a_serializer_class_on_every_call():
    made = [
        PagesAPIViewSet._get_serializer_class(ROUTER, ArticlePage, DETAIL_FIELDS, True)
        for _ in range(2)
    ]
    assert made[0] is not made[1]


def test_ukiyos_endpoint_makes_each_serializer_class_once():
    made = [
        PagesEndpoint._get_serializer_class(ROUTER, ArticlePage, config, True)
        for config in (DETAIL_FIELDS, parse_fields_parameter("*,-body"), [])
    ]
    assert made[0] is made[1]
    assert made[2] is not made[0]
    assert "body" not in made[0].Meta.fields and "body" in made[2].Meta.fields


def test_drf_still_builds_every_field_for_every_serializer():
    made = PagesAPIViewSet._get_serializer_class(ROUTER, ArticlePage, [], True)
    first, second = made(context={}), made(context={})
    assert first.get_fields()["title"] is not second.get_fields()["title"]
    assert "_ukiyo_fields_built" not in made.__dict__


def test_each_serializer_gets_its_own_fields_built_once_per_class():
    made = PagesEndpoint._get_serializer_class(ROUTER, ArticlePage, [], True)
    first, second = made(context={}), made(context={})
    fields = first.fields, second.fields
    assert list(fields[0]) == list(fields[1]) and "body" in fields[0]
    for name in fields[0]:
        assert fields[0][name] is not fields[1][name], name
        assert fields[0][name].parent is first and fields[1][name].parent is second, name
    assert "_ukiyo_fields_built" in made.__dict__
