"""The v3 document says which fields an answer has and which may be null, as the answers do.

Every field of an answer's schema is required (ninja writes every field), except those its
schema leaves out of some answers; a page's field is nullable only where it can be null
(``api.v3.read_schemas``). ``test_contract.py`` holds these against every answer of the demo.
"""

import pytest
from django.core.cache import cache
from wagtail.api.v3.api import api as api_v3

from tests.factories import ArticlePageFactory, full_article

# Fields an answer leaves out when they have nothing to say.
SOMETIMES_LEFT_OUT = {
    "warnings",  # meta.warnings of Wagtail's answers: only when rich text lost something
    # A page's meta.live and meta.scheduled_at: only in the answers of publishing writes.
    "live",
    "scheduled_at",
    # Problems (api.problems): errors only when there are several to name.
    "ProblemDetail.errors",
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def referenced(document, node, found=None):
    """The names of the components ``node`` refers to, directly or through others."""
    found = set() if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                name = value.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    referenced(document, document["components"]["schemas"][name], found)
            else:
                referenced(document, value, found)
    elif isinstance(node, list):
        for value in node:
            referenced(document, value, found)
    return found


def parts(document, part):
    for methods in document["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and part in operation:
                yield operation[part]


def nullable(schema):
    return {"type": "null"} in schema.get("anyOf", ())


def test_no_schema_describes_both_a_request_and_an_answer(document):
    """An answer's field with a default is required, a request's is not: one schema cannot say
    both."""
    requests = referenced(document, list(parts(document, "requestBody")))
    answers = referenced(document, list(parts(document, "responses")))

    assert not requests & answers


def test_every_field_of_an_answer_is_required(document):
    optional = []
    for name in sorted(referenced(document, list(parts(document, "responses")))):
        schema = document["components"]["schemas"][name]
        for key in schema.get("properties", {}):
            if key in schema.get("required", ()):
                continue
            if key not in SOMETIMES_LEFT_OUT and f"{name}.{key}" not in SOMETIMES_LEFT_OUT:
                optional.append(f"{name}.{key}")

    assert optional == []


def test_no_operation_leaves_fields_out_of_its_answers(document):
    """The rule above holds because ninja writes every field of every answer: no operation
    asks it to leave out unset, default or null values (ninja's routers as its document
    reads them)."""
    operations = [
        operation
        for router in api_v3._get_bound_routers()
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    ]
    assert len(operations) > 40
    for operation in operations:
        flags = (operation.exclude_unset, operation.exclude_defaults, operation.exclude_none)
        assert flags == (False, False, False), operation.operation_id


@pytest.mark.parametrize("schema_name", ["ArticlePageSchema", "ArticleInLanguageSchema"])
def test_an_articles_fields_are_nullable_where_they_can_be_null(document, schema_name):
    properties = document["components"]["schemas"][schema_name]["properties"]

    can_be_null = {name for name, schema in properties.items() if nullable(schema)}

    assert can_be_null == {
        "category",  # an article may have none
        "updated_date",  # never updated
        "lead_image",  # no lead image: its reference and its renditions
        "lead_image_rendition",
        "lead_image_thumbnail",
        "lead_image_renditions",
    }
    for name in ("alternates", "authors", "tag_names", "corrections", "subtitle"):
        assert "anyOf" not in properties[name], name
    meta = document["components"]["schemas"][properties["meta"]["$ref"].rsplit("/", 1)[1]]
    for name in ("seo_title", "search_description", "show_in_menus"):
        assert not nullable(meta["properties"][name]), name


def test_every_page_field_is_nullable_only_if_some_page_has_it_null(document):
    """The other page types follow the same rule: a text left blank is ``""``, not null."""
    for name in ("HomePageSchema", "StandardPageSchema", "ContactPageSchema"):
        properties = document["components"]["schemas"][name]["properties"]
        assert [key for key, schema in properties.items() if nullable(schema)] == [], name


def test_an_article_without_category_lead_image_or_authors(client, index):
    """What may be null is null, and the lists are empty lists, never null."""
    article = ArticlePageFactory(parent=index, subtitle="", lead_image=None, category=None)

    data = client.get(f"/api/v3/pages/{article.pk}/").json()

    assert data["category"] is None
    assert data["lead_image"] is data["lead_image_renditions"] is None
    assert (data["authors"], data["tag_names"], data["corrections"]) == ([], [], [])
    assert data["subtitle"] == data["lead_image_caption"] == ""
    assert list(data["alternates"]) == ["ja"]


def test_a_full_article_has_every_field_its_schema_requires(client, document, index, category):
    article = full_article(index, category=category)
    schema = document["components"]["schemas"]["ArticlePageSchema"]

    data = client.get(f"/api/v3/pages/{article.pk}/").json()

    assert set(data) == set(schema["properties"]) == set(schema["required"])
    assert set(data["meta"]) == set(
        document["components"]["schemas"]["ArticlePageMetaSchema"]["required"]
    )
