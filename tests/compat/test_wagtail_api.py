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
from wagtail.api.v3 import form_data
from wagtail.api.v3.schemas.generators.read import read_generator, streamfield_schema
from wagtail.api.v3.schemas.pages import PageMetaSchema
from wagtail.api.v3.schemas.params import RevisionFilterSchema, TranslationFilterSchema
from wagtail.models import Revision

from api.access import visible_parent
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
