"""An article's ``lead_image``: one shape in v2, another in v3, each as docs/api.md shows it.

``lead_image`` is Wagtail's reference to the image in each API's own shape; the renditions
(``lead_image_renditions``) are what a page shows, and the same in both. The guide's table of
the two shapes is read here and compared with what each API serves.
"""

import json
import re
from pathlib import Path

import pytest

from tests.factories import ArticlePageFactory, ImageFactory

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SHAPE_ROW = re.compile(r"^\| (v2|v3) \| `(\{.*\})` \|$", re.MULTILINE)


def shape(value):
    """The keys of ``value`` at every depth and the JSON type of each leaf."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return type(value).__name__


@pytest.fixture
def image(db):
    return ImageFactory(title="Moon surface (illustration)")


@pytest.fixture
def article(index, image):
    return ArticlePageFactory(parent=index, title="月面", slug="moon", lead_image=image)


def read(client, version, page):
    response = client.get(f"/api/{version}/pages/{page.pk}/")
    assert response.status_code == 200
    return response.json()


def test_v2_gives_the_image_s_title_and_its_v2_addresses(client, article, image):
    assert read(client, "v2", article)["lead_image"] == {
        "id": image.pk,
        "meta": {
            "type": "wagtailimages.Image",
            "detail_url": f"http://testserver/api/v2/images/{image.pk}/",
            "download_url": image.file.url,
        },
        "title": "Moon surface (illustration)",
    }
    listing = client.get(
        "/api/v2/pages/", {"type": "news.ArticlePage", "fields": "lead_image"}
    ).json()
    assert listing["items"][0]["lead_image"] == read(client, "v2", article)["lead_image"]


def test_v3_gives_the_id_and_type_only(client, article, image):
    assert read(client, "v3", article)["lead_image"] == {
        "id": image.pk,
        "meta": {"type": "wagtailimages.Image"},
    }
    response = client.get(f"/api/v3/articles/{article.pk}/")
    assert response.json()["lead_image"] == {
        "id": image.pk,
        "meta": {"type": "wagtailimages.Image"},
    }


def test_the_renditions_are_the_same_in_both(client, article):
    v2, v3 = read(client, "v2", article), read(client, "v3", article)

    assert v2["lead_image_renditions"] == v3["lead_image_renditions"]
    assert v2["lead_image_renditions"]["id"] == v3["lead_image"]["id"]


def test_without_a_lead_image_both_are_null(client, index):
    article = ArticlePageFactory(parent=index, title="画像なし", slug="no-image", lead_image=None)

    for version in ("v2", "v3"):
        data = read(client, version, article)
        assert (data["lead_image"], data["lead_image_renditions"]) == (None, None), version


def test_the_openapi_document_types_v3_s_shape(client, db):
    schemas = client.get("/api/v3/openapi.json").json()["components"]["schemas"]

    field = schemas["ArticlePageSchema"]["properties"]["lead_image"]
    assert field == {
        "anyOf": [{"$ref": "#/components/schemas/ImageForeignKeySchema"}, {"type": "null"}]
    }
    assert set(schemas["ImageForeignKeySchema"]["properties"]) == {"id", "meta"}


def test_the_guide_shows_each_api_s_shape(client, article):
    documented = {version: json.loads(row) for version, row in SHAPE_ROW.findall(GUIDE.read_text())}

    assert documented.keys() == {"v2", "v3"}
    for version, example in documented.items():
        assert shape(example) == shape(read(client, version, article)["lead_image"]), version
    assert documented["v2"]["meta"]["download_url"].startswith("/media/original_images/")
