"""Typed StreamField blocks: the OpenAPI document describes what both APIs really return.

Every StreamField a page exposes is a list of blocks discriminated by ``type``; the JSON of a
full article (every block kind) validates against the document, is the same in v2 and v3, and
a standard code generator (datamodel-code-generator) builds usable types from the document.
"""

import copy
import importlib.util
import sys
import typing

import jsonschema
import pytest
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from wagtail.api.conf import get_model_field
from wagtail.blocks import StreamBlock
from wagtail.fields import StreamField
from wagtail.models import get_page_models

from api.images import SRCSET_SPECS
from news.models import ArticlePage
from tests.conftest import translate_page
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    StandardPageFactory,
    callout_block,
    embed_block,
    full_article,
    image_block,
    list_block,
    paragraph,
    quote_block,
    reference,
    section,
)

DETAIL = {"v2": "/api/v2/pages/{}/", "v3": "/api/v3/pages/{}/"}
ARTICLE_BLOCKS = {"paragraph", "list", "quote", "image", "embed", "callout"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def photo(db):
    """A photo narrower than the widest srcset width: its renditions stop at 1000 pixels."""
    return ImageFactory(
        title="Crater", description="A crater at dawn", file__width=1000, file__height=500
    )


@pytest.fixture
def lead_photo(db):
    return ImageFactory(
        title="Lander", description="The lander on the rim", file__width=2400, file__height=1350
    )


@pytest.fixture
def article(index, category, locales, photo, lead_photo):
    """An article with every block kind, nested list items, a decorative image, an embed, a
    callout and a link to another page."""
    decorative = image_block(photo, alt="", caption="", credit="")
    decorative["value"]["image"]["decorative"] = True
    link = f'See <a linktype="page" id="{index.pk}">all articles</a>.'
    return full_article(
        index,
        author=AuthorFactory(locale=locales["ja"]),
        category=category,
        lead_image=lead_photo,
        body=[
            section(
                "Landing",
                [
                    paragraph("Touchdown.", sources=[2, 1]),
                    list_block("numbered", items=("Descent", "Landing"), sources=[1]),
                    quote_block("We made it.", "", sources=[1]),
                    image_block(photo, alt="The crater floor"),
                    decorative,
                    embed_block("https://www.youtube.com/watch?v=M7lc1UVf-VE", "The launch"),
                    callout_block("warning", "", "Times are approximate."),
                ],
            ),
            section("Links", [paragraph(link)]),
        ],
        references=[reference(1, "phys.org"), reference(2, "apnews.com")],
    )


def get_page(client, version, page_id, **headers):
    response = client.get(DETAIL[version].format(page_id), **headers)
    assert response.status_code == 200, response.content
    return response.json()


def content_of(data):
    """The first section's blocks by type (the first of each type)."""
    content = data["body"][0]["value"]["content"]
    return {block["type"]: block["value"] for block in reversed(content)}


# ---------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def assert_stream_typed(document, schema, stream_block, path):
    """``schema`` types ``stream_block`` block by block, down to every nested stream."""
    assert schema["type"] == "array", path
    items = schema["items"]
    assert items["discriminator"]["propertyName"] == "type", path
    mapping = items["discriminator"]["mapping"]
    assert set(mapping) == set(stream_block.child_blocks), path
    assert sorted(member["$ref"] for member in items["oneOf"]) == sorted(mapping.values()), path
    for name, child in stream_block.child_blocks.items():
        member = resolve(document, {"$ref": mapping[name]})
        assert set(member["required"]) == {"type", "id", "value"}, (path, name)
        assert member["properties"]["type"]["const"] == name, (path, name)
        assert member["properties"]["id"]["type"] == "string", (path, name)
        value = resolve(document, member["properties"]["value"])
        assert value.get("type") in ("object", "string"), (path, name)
        for field_name, grandchild in getattr(child, "child_blocks", {}).items():
            if isinstance(grandchild, StreamBlock):
                assert_stream_typed(
                    document, value["properties"][field_name], grandchild, f"{path}.{field_name}"
                )


def test_every_streamfield_of_every_page_type_is_a_union_of_its_blocks(document):
    typed = set()
    for model in get_page_models():
        schema = document["components"]["schemas"].get(f"{model._meta.object_name}Schema")
        for api_field in getattr(model, "api_fields", ()):
            try:
                field = get_model_field(model, api_field.name)
            except FieldDoesNotExist:  # a property, or a custom serializer field
                continue
            if not isinstance(field, StreamField) or api_field.serializer is not None:
                continue
            name = f"{model._meta.label}.{api_field.name}"
            assert getattr(field.stream_block, "api_type", None), f"{name}'s block has no api_type"
            assert api_field.name in schema["required"], name
            assert_stream_typed(
                document, schema["properties"][api_field.name], field.stream_block, name
            )
            typed.add(name)

    assert {"news.ArticlePage.body", "home.StandardPage.body"} <= typed


def test_the_body_union_lists_every_content_block(document):
    section = document["components"]["schemas"]["SectionValue"]["properties"]["content"]
    assert set(section["items"]["discriminator"]["mapping"]) == ARTICLE_BLOCKS
    image = document["components"]["schemas"]["ImageValue"]["properties"]
    assert image["renditions"]["items"] == {"$ref": "#/components/schemas/ImageSource"}


def strict(document):
    """The document's schemas, with every object closed: an undocumented key fails."""
    components = copy.deepcopy(document["components"])
    for schema in components["schemas"].values():
        if "properties" in schema:
            schema["additionalProperties"] = False
    return components


def validate(document, schema_name, field, value):
    schema = {
        **document["components"]["schemas"][schema_name]["properties"][field],
        "components": strict(document),
    }
    jsonschema.Draft202012Validator(schema).validate(value)


# ---------------------------------------------------------------------------
# Real answers against the document, and v2 against v3
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_a_full_article_validates_against_the_document(client, document, article, version):
    data = get_page(client, version, article.pk)

    for field in ("body", "references", "lead_image_renditions"):
        validate(document, "ArticlePageSchema", field, data[field])
    assert set(content_of(data)) == ARTICLE_BLOCKS


def test_a_wrong_block_fails_the_validation(client, document, article):
    """Guards the check above: the schemas are strict enough to catch a drift."""
    body = get_page(client, "v2", article.pk)["body"]
    broken = [copy.deepcopy(body), copy.deepcopy(body), copy.deepcopy(body)]
    broken[0][0]["value"]["content"][0]["value"]["extra"] = 1
    broken[1][0]["value"]["content"][1]["value"]["items"][0]["children"][0]["sources"] = ["1"]
    broken[2][0]["value"]["content"][3]["type"] = "picture"

    for wrong in broken:
        with pytest.raises(jsonschema.ValidationError):
            validate(document, "ArticlePageSchema", "body", wrong)


def test_v2_and_v3_return_the_same_blocks(client, article, index):
    plain = StandardPageFactory(parent=index.get_parent())

    for page, fields in (
        (article, ("body", "references", "lead_image_renditions")),
        (plain, ("body",)),
    ):
        v2, v3 = get_page(client, "v2", page.pk), get_page(client, "v3", page.pk)
        for field in fields:
            assert v3[field] == v2[field], field
    assert [block["type"] for block in v3["body"]] == ["heading", "paragraph"]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_a_standard_page_body_validates_against_the_document(client, document, index, version):
    page = StandardPageFactory(parent=index.get_parent())

    data = get_page(client, version, page.pk)

    validate(document, "StandardPageSchema", "body", data["body"])


# ---------------------------------------------------------------------------
# What the blocks carry, in both APIs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_sections_are_numbered(client, article, version):
    data = get_page(client, version, article.pk)

    assert [block["value"]["number"] for block in data["body"]] == [1, 2]
    assert [block["value"]["number"] for block in data["references"]] == [1, 2]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_citations_are_resolved_to_the_references(client, article, version):
    content = content_of(get_page(client, version, article.pk))

    phys = {
        "number": 1,
        "title": "Source number 1",
        "url": "https://www.phys.org/news/1",
        "domain": "phys.org",
    }
    ap = {
        "number": 2,
        "title": "Source number 2",
        "url": "https://www.apnews.com/news/2",
        "domain": "apnews.com",
    }
    assert content["paragraph"]["sources"] == [2, 1]
    assert content["paragraph"]["citations"] == [ap, phys]  # in the order cited
    first, second = content["list"]["items"]
    assert first["citations"] == second["citations"] == [phys]
    assert first["children"] == [{"text": "<p>Nested</p>", "sources": [], "citations": []}]
    assert content["quote"]["citations"] == [phys]
    assert content["quote"]["attribution"] == ""
    assert content["callout"]["title"] == ""


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_a_citation_of_a_missing_reference_is_left_unresolved(client, document, article, version):
    """Editors cannot save one, but a reference list shortened behind the form's back (a
    script, an old revision) must not break the page."""
    ArticlePage.objects.filter(pk=article.pk).update(references=[reference(1, "phys.org")])

    data = get_page(client, version, article.pk)

    paragraph = content_of(data)["paragraph"]
    assert paragraph["sources"] == [2, 1]
    assert [citation["number"] for citation in paragraph["citations"]] == [1]
    validate(document, "ArticlePageSchema", "body", data["body"])


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_citations_follow_the_references_of_each_listed_article(client, index, version):
    """In a v2 listing every article cites its own references, not the previous article's."""
    pages = [
        ArticlePageFactory(
            parent=index,
            body=[section("S", [paragraph("Cited.", sources=[1])])],
            references=[reference(1, domain)],
        )
        for domain in ("one.example", "two.example")
    ]
    if version == "v2":
        response = client.get(
            "/api/v2/pages/", {"type": "news.ArticlePage", "fields": "body", "order": "id"}
        )
        bodies = [item["body"] for item in response.json()["items"]]
    else:
        bodies = [get_page(client, "v3", page.pk)["body"] for page in pages]

    domains = [body[0]["value"]["content"][0]["value"]["citations"][0]["domain"] for body in bodies]
    assert domains == ["one.example", "two.example"]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_body_images_come_in_every_width_up_to_the_original(client, article, photo, version):
    image = content_of(get_page(client, version, article.pk))["image"]

    specs = ("width-480|format-webp", "width-800|format-webp", "width-1200|format-webp")
    urls = ["http://testserver" + photo.get_rendition(spec).url for spec in specs]
    # 1000 pixels wide: no 1200 or 1600 rendition blown up from it, the original size instead.
    assert image["renditions"] == [
        {"url": urls[0], "width": 480, "height": 240},
        {"url": urls[1], "width": 800, "height": 400},
        {"url": urls[2], "width": 1000, "height": 500},
    ]
    assert all(url.endswith(".webp") for url in urls)
    assert image["srcset"] == f"{urls[0]} 480w, {urls[1]} 800w, {urls[2]} 1000w"
    assert image["alt_text"] == "The crater floor"
    assert image["rendition"]["alt"] == "The crater floor"
    assert image["rendition"]["width"] == 1000  # the compatible single rendition stays


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_decorative_images_have_an_empty_alt_text(client, article, version):
    content = get_page(client, version, article.pk)["body"][0]["value"]["content"]

    decorative = [block["value"] for block in content if block["type"] == "image"][1]
    assert decorative["decorative"] is True
    assert decorative["alt_text"] == ""
    assert decorative["rendition"]["alt"] == ""
    assert len(decorative["renditions"]) == 3


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_a_deleted_image_leaves_an_empty_figure(client, article, photo, version):
    photo.delete()

    image = content_of(get_page(client, version, article.pk))["image"]

    assert image["image"] is None
    assert (image["rendition"], image["renditions"], image["srcset"]) == (None, [], "")


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_the_lead_image_comes_in_every_width(client, article, lead_photo, version):
    lead = get_page(client, version, article.pk)["lead_image_renditions"]

    assert lead["id"] == lead_photo.pk
    assert lead["alt"] == "The lander on the rim"
    assert [(r["width"], r["height"]) for r in lead["renditions"]] == [
        (480, 270),
        (800, 450),
        (1200, 675),
        (1600, 900),
    ]
    assert lead["renditions"][0]["url"].startswith("http://testserver/media/images/")
    assert lead["srcset"].endswith(" 1600w")


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_an_article_without_lead_image_has_null(client, index, version):
    page = ArticlePageFactory(parent=index)

    assert get_page(client, version, page.pk)["lead_image_renditions"] is None


def test_renditions_are_stored_once_per_width(client, article, photo):
    for version in ("v2", "v3", "v2"):
        get_page(client, version, article.pk)

    specs = sorted(photo.renditions.values_list("filter_spec", flat=True))
    assert specs == sorted(SRCSET_SPECS[:3])


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_links_resolve_in_the_articles_language(client, article, english_tree, locales, version):
    english = translate_page(article, locales["en"], title="Moon landing", slug="moon-landing")

    # The caller's language does not matter; the article's does.
    ja = get_page(client, version, article.pk, HTTP_ACCEPT_LANGUAGE="en")
    en = get_page(client, version, english.pk, HTTP_ACCEPT_LANGUAGE="ja")

    link = '<p>See <a href="/{}/articles/">all articles</a>.</p>'
    assert ja["body"][1]["value"]["content"][0]["value"]["text"] == link.format("ja")
    assert en["body"][1]["value"]["content"][0]["value"]["text"] == link.format("en")


# ---------------------------------------------------------------------------
# Code generation
# ---------------------------------------------------------------------------


def block_types(annotation):
    """The ``type`` values of a generated list-of-blocks annotation (RootModel unions)."""
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    if hasattr(annotation, "model_fields") and "root" in annotation.model_fields:
        annotation = annotation.model_fields["root"].annotation
    members = typing.get_args(annotation) or (annotation,)
    types = set()
    for member in members:
        assert member is not typing.Any, annotation
        (literal,) = typing.get_args(member.model_fields["type"].annotation)
        types.add(literal)
    return types


def test_a_code_generator_builds_types_for_every_block(client, article, tmp_path):
    from datamodel_code_generator import DataModelType, InputFileType, generate

    response = client.get("/api/v3/openapi.json")
    code = generate(
        response.content.decode(),
        input_file_type=InputFileType.OpenAPI,
        output_model_type=DataModelType.PydanticV2BaseModel,
    )
    path = tmp_path / "ukiyo_api.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("ukiyo_api", path)
    generated = importlib.util.module_from_spec(spec)
    sys.modules["ukiyo_api"] = generated  # pydantic resolves forward references through it
    try:
        spec.loader.exec_module(generated)

        fields = generated.ArticlePageSchema.model_fields
        assert block_types(fields["body"].annotation) == {"section"}
        assert block_types(fields["references"].annotation) == {"reference"}
        content = generated.SectionValue.model_fields["content"].annotation
        assert block_types(content) == ARTICLE_BLOCKS
        plain = generated.StandardPageSchema.model_fields["body"].annotation
        assert block_types(plain) == {"heading", "paragraph"}
        # The generated types read a real answer, every block into its own class.
        page = generated.ArticlePageSchema.model_validate(get_page(client, "v3", article.pk))
        kinds = [type(block.root).__name__ for block in page.body[0].root.value.content]
        assert kinds[:4] == ["ParagraphBlock", "ListBlock", "QuoteBlock", "ImageBlock"]
    finally:
        del sys.modules["ukiyo_api"]
