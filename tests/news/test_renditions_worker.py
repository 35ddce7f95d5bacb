"""The renditions of a published article's images are made by the worker, before readers ask.

Publishing queues one task (``core.renditions.make_renditions``) on the worker's
``renditions`` queue after its commit; the worker makes every size the page's images are
shown at, so that no reader's page or API answer makes one.
"""

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image as PILImage
from wagtail.images.image_operations import Operation
from wagtail.images.models import Rendition
from wagtail.models import Collection

from core.renditions import make_renditions
from news.models import author_path
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    add_author,
    rich_body,
)
from tests.tasks import run_queued

pytestmark = pytest.mark.django_db


def queued():
    return list(DBTaskResult.objects.filter(backend_name="worker", queue_name="renditions"))


@pytest.fixture
def images():
    return {name: ImageFactory(width=900, height=600) for name in ("lead", "social", "figure")}


@pytest.fixture
def article(index, category, images):
    """A draft article that shows four images: lead, social, a body figure, its author's
    photo."""
    page = ArticlePageFactory(
        parent=index,
        title="彗星の接近",
        slug="comet",
        lead_image=images["lead"],
        social_image=images["social"],
        body=rich_body(2, images=[images["figure"]]),
        category=category,
        live=False,
    )
    author = AuthorFactory(name="森 健二", slug="kenji-mori", photo=ImageFactory())
    add_author(page, author)
    return page


def publish(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


def test_publishing_queues_the_renditions_and_makes_none_in_the_request(
    article, django_capture_on_commit_callbacks
):
    publish(article, django_capture_on_commit_callbacks)

    assert Rendition.objects.count() == 0
    [task] = queued()
    assert task.task_path == "core.renditions.make_renditions"
    assert task.args_kwargs["args"] == [article.pk]


def test_after_the_worker_no_reader_page_or_api_answer_makes_a_rendition(
    client, article, home, index, images, django_capture_on_commit_callbacks
):
    publish(article, django_capture_on_commit_callbacks)
    assert run_queued("renditions") == 1
    made = set(Rendition.objects.values_list("image_id", "filter_spec"))
    assert {image for image, _ in made} == {
        images["lead"].pk,
        images["social"].pk,
        images["figure"].pk,
        article.authors[0].photo_id,
    }

    article.refresh_from_db()
    pages = [
        article.url,
        home.url,
        index.url,
        author_path("kenji-mori", "ja"),
        f"/api/v2/pages/{article.pk}/",
        "/api/v2/pages/?type=news.ArticlePage&fields=*&locale=ja",
        f"/api/v3/pages/{article.pk}/",
        "/api/v3/articles/?locale=ja",
        f"/api/v3/articles/{article.pk}/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
    # Every image is shown (the lead in the article, on cards and in the APIs; the figure;
    # the photo on the author's page), and every size shown was already there.
    assert set(Rendition.objects.values_list("image_id", "filter_spec")) == made


@pytest.mark.parametrize(
    "path", ["/api/v2/pages/{}/", "/api/v3/pages/{}/", "/api/v3/articles/?locale=ja"]
)
def test_an_answer_built_again_parses_no_rendition_spec(
    client, article, home, monkeypatch, settings, path, django_capture_on_commit_callbacks
):
    # Parsing a spec (each operation's arguments checked through inspect) once per image and
    # answer was a tenth of an API answer's CPU: a process parses each spec once.
    settings.UKIYO_API_KEPT_ANSWERS = False
    publish(article, django_capture_on_commit_callbacks)
    path = path.format(article.pk)
    assert client.get(path).status_code == 200
    parsed = []
    construct = Operation.__init__

    def counted(operation, *args):
        parsed.append(args)
        construct(operation, *args)

    monkeypatch.setattr(Operation, "__init__", counted)

    response = client.get(path)

    assert response.status_code == 200
    assert "/media/images/" in response.content.decode()  # it shows renditions
    assert parsed == []


def test_a_page_unpublished_before_the_worker_gets_none(
    article, django_capture_on_commit_callbacks
):
    publish(article, django_capture_on_commit_callbacks)
    article.refresh_from_db()
    article.unpublish()

    assert run_queued("renditions") == 1
    assert Rendition.objects.count() == 0
    [task] = queued()
    assert task.status == "SUCCESSFUL"


def test_an_unreadable_original_is_logged_and_the_other_images_still_get_theirs(
    article, images, caplog, django_capture_on_commit_callbacks
):
    publish(article, django_capture_on_commit_callbacks)
    images["figure"].file.storage.delete(images["figure"].file.name)

    with caplog.at_level(logging.WARNING, logger="core.renditions"):
        assert run_queued("renditions") == 1

    [task] = queued()
    assert task.status == "SUCCESSFUL"
    shown = set(Rendition.objects.values_list("image_id", flat=True))
    assert images["lead"].pk in shown and images["social"].pk in shown
    assert images["figure"].pk not in shown
    assert f"image {images['figure'].pk}" in caplog.text


def test_a_page_without_images_queues_nothing(index, django_capture_on_commit_callbacks):
    page = ArticlePageFactory(parent=index, live=False)
    publish(page, django_capture_on_commit_callbacks)
    assert queued() == []


def test_the_task_for_a_page_that_is_gone_does_nothing(article):
    assert make_renditions.call(article.pk + 1000) is None
    assert Rendition.objects.count() == 0


def edit_in_admin(editor, image, **fields):
    """Save ``image`` through the admin's edit view with ``fields`` changed."""
    response = editor.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {"title": image.title, "collection": Collection.get_first_root_node().pk, **fields},
    )
    assert response.status_code == 302, response.content[:2000]


def test_a_new_file_for_an_image_has_its_pages_renditions_made_again(
    editor, article, images, django_capture_on_commit_callbacks
):
    publish(article, django_capture_on_commit_callbacks)
    run_queued("renditions")
    lead = images["lead"]
    before = set(Rendition.objects.filter(image=lead).values_list("filter_spec", "file"))
    assert before

    picture = io.BytesIO()
    PILImage.new("RGB", (1200, 800), "teal").save(picture, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        edit_in_admin(
            editor,
            lead,
            file=SimpleUploadedFile("new-photo.png", picture.getvalue(), "image/png"),
        )
    # Wagtail deleted the renditions of the old file; the article is queued again.
    assert not Rendition.objects.filter(image=lead).exists()
    assert [task.args_kwargs["args"] for task in queued() if task.status == "READY"] == [
        [article.pk]
    ]

    run_queued("renditions")
    after = set(Rendition.objects.filter(image=lead).values_list("filter_spec", "file"))
    assert {spec for spec, _ in after} == {spec for spec, _ in before}
    assert not after & before  # made from the new file


def test_a_moved_focal_point_has_its_pages_crops_made_again(
    editor, article, images, django_capture_on_commit_callbacks
):
    publish(article, django_capture_on_commit_callbacks)
    run_queued("renditions")
    lead = images["lead"]
    before = set(Rendition.objects.filter(image=lead).values_list("filter_spec", "focal_point_key"))

    with django_capture_on_commit_callbacks(execute=True):
        edit_in_admin(
            editor,
            lead,
            focal_point_x=150,
            focal_point_y=100,
            focal_point_width=60,
            focal_point_height=40,
        )
    assert [task.args_kwargs["args"] for task in queued() if task.status == "READY"] == [
        [article.pk]
    ]

    run_queued("renditions")
    after = set(Rendition.objects.filter(image=lead).values_list("filter_spec", "focal_point_key"))
    crops = {spec for spec, _key in before if spec.startswith("fill-")}
    assert crops, before
    # Each crop made again for the new focal point; sizes that do not crop stay as they were.
    assert {spec for spec, _key in after - before} == crops


def test_saving_an_image_without_moving_its_focal_point_queues_nothing(
    editor, article, images, django_capture_on_commit_callbacks
):
    publish(article, django_capture_on_commit_callbacks)
    run_queued("renditions")
    lead = images["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        lead.title = "A new title"
        lead.save()
    assert not [task for task in queued() if task.status == "READY"]
