"""What the API accepts as a request body: JSON objects only, a size limit, a block limit,
readable images. Each mistake is a 4xx in the API's error shape, never a 500, and saves
nothing (issue 10, item 6)."""

import io
import json

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from news.models import ArticlePage, Category
from tests.factories import ImageFactory, full_article, rich_body

PROBLEM = "application/problem+json"
TYPE = {"type": "news.ArticlePage"}
TEN_MB = 10 * 1024 * 1024


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def article(index, category):
    return full_article(index, title="月面着陸", slug="moon-landing", category=category)


@pytest.fixture
def ids(article, category, index):
    image = ImageFactory(title="Crater")
    document = get_document_model().objects.create(
        title="Report", file=ContentFile(b"report", name="report.txt")
    )
    return {
        "page": article.pk,
        "parent": index.pk,
        "category": category.pk,
        "image": image.pk,
        "document": document.pk,
    }


def counts():
    return (
        Page.objects.count(),
        Category.objects.count(),
        get_image_model().objects.count(),
        ArticlePage.objects.get(slug="moon-landing").revisions.count(),
    )


# Every v3 operation that takes a JSON body.
JSON_WRITES = [
    ("post", "/api/v3/pages/"),
    ("patch", "/api/v3/pages/{page}/"),
    ("post", "/api/v3/pages/{page}/actions/copy/"),
    ("post", "/api/v3/pages/{page}/actions/create_alias/"),
    ("post", "/api/v3/pages/{page}/actions/move/"),
    ("post", "/api/v3/pages/{page}/actions/revert/"),
    ("post", "/api/v3/pages/{page}/actions/unpublish/"),
    ("post", "/api/v3/pages/{page}/actions/copy_for_translation/"),
    ("post", "/api/v3/snippets/news.Category/"),
    ("patch", "/api/v3/snippets/news.Category/{category}/"),
    ("post", "/api/v3/snippets/news.Category/{category}/actions/copy_for_translation/"),
    ("patch", "/api/v3/images/{image}/"),
    ("patch", "/api/v3/documents/{document}/"),
    ("post", "/api/v3/redirects/"),
    ("post", "/api/v3/sites/"),
]


ROOTS = [("null", "null"), ("[]", "a list"), ('"x"', "a string"), ("5", "a number")]


@pytest.mark.parametrize(("method", "url"), JSON_WRITES)
def test_a_json_body_that_is_not_an_object_is_refused(client, auth, ids, method, url):
    before = counts()
    for root, kind in ROOTS:
        response = getattr(client, method)(
            url.format(**ids), root, content_type="application/json", **auth
        )

        assert response.status_code == 422, (root, response.content)
        assert response["Content-Type"] == PROBLEM
        (error,) = response.json()["errors"]
        assert error["loc"] == []
        assert error["msg"] == f"The request body must be a JSON object, got {kind}."
    assert counts() == before


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v3/pages/"),
        ("patch", "/api/v3/pages/{page}/"),
        ("post", "/api/v3/snippets/news.Category/"),
        ("post", "/api/v2/pages/"),
        ("put", "/api/v2/pages/{page}/"),
    ],
)
def test_a_ten_megabyte_body_answers_413_in_problem_json(
    client, auth, ids, settings, debug, method, url
):
    settings.DEBUG = debug
    before = counts()
    body = json.dumps({"meta": TYPE, "title": "x" * TEN_MB})

    response = getattr(client, method)(
        url.format(**ids), body, content_type="application/json", **auth
    )

    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 413
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in problem["detail"]
    if url.startswith("/api/v2/"):
        assert problem["message"] == problem["detail"]
    assert counts() == before


@pytest.mark.parametrize("debug", [True, False])
def test_a_large_form_body_sent_to_a_json_operation_answers_413(client, auth, ids, settings, debug):
    settings.DEBUG = debug
    response = client.post(
        "/api/v3/pages/",
        {"title": "x" * TEN_MB},
        **auth,
    )

    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == PROBLEM


def png(size=(64, 64)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, auth, data, name="crater.png"):
    return client.post(
        "/api/v3/images/",
        {
            "title": "Crater",
            "collection_id": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(name, data, content_type="image/png"),
        },
        **auth,
    )


@pytest.mark.parametrize("length", [8, 30, 60, 100, -10])
def test_a_truncated_png_is_refused_naming_the_file(client, auth, ids, length):
    before = counts()

    response = upload(client, auth, png()[:length])

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    assert [error["loc"] for error in response.json()["errors"]] == [["file"]]
    assert counts() == before


def test_a_whole_png_is_still_accepted(client, auth, ids):
    response = upload(client, auth, png())

    assert response.status_code == 201, response.content
    assert get_image_model().objects.filter(pk=response.json()["id"]).exists()


def test_a_body_with_more_blocks_than_the_limit_is_refused_naming_it(
    client, auth, article, settings
):
    settings.UKIYO_API_MAX_BLOCKS = 20
    before = counts()
    body = rich_body(sections=4)  # 4 sections of 4 blocks with list items: more than 20

    response = client.patch(
        f"/api/v3/pages/{article.pk}/",
        json.dumps({"meta": TYPE, "body": body}),
        content_type="application/json",
        HTTP_IF_MATCH="*",
        **auth,
    )

    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert error["type"] == "too_many_blocks"
    assert error["loc"] == ["body"]
    assert "more than 20 blocks" in error["msg"]
    assert "UKIYO_API_MAX_BLOCKS" in error["msg"]
    assert counts() == before


def test_a_body_within_the_block_limit_is_saved(client, auth, article, settings):
    settings.UKIYO_API_MAX_BLOCKS = 1000
    response = client.patch(
        f"/api/v3/pages/{article.pk}/",
        json.dumps({"meta": TYPE, "body": rich_body(sections=4)}),
        content_type="application/json",
        HTTP_IF_MATCH="*",
        **auth,
    )

    assert response.status_code == 200, response.content
