"""Editors' actions reach webhooks through the change records, never in the request."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, CategoryFactory
from webhooks.models import WebhookDelivery

from .conftest import make_webhook, run_worker

Status = WebhookDelivery.Status


def sent(receiver):
    return [
        (body["event"], body["change"]["locale"], body["change"]["object_id"])
        for body in (json.loads(request["body"]) for request in receiver.requests)
    ]


def test_publishing_queues_the_delivery_and_the_worker_sends_it(
    index, receiver, django_capture_on_commit_callbacks
):
    make_webhook()
    page = ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    (queued,) = WebhookDelivery.objects.all()
    assert queued.event == "page.published"
    assert queued.status == Status.PENDING
    # The publish returned without calling the receiver: only the worker does.
    assert receiver.requests == []

    run_worker()
    assert sent(receiver) == [("page.published", "ja", page.pk)]
    body = json.loads(receiver.requests[0]["body"])
    assert body["change"]["title"] == "月面着陸"
    assert body["change"]["html_url"].endswith("/ja/articles/moon-landing/")


def test_a_receiver_that_hangs_does_not_slow_publishing(
    index, receiver, django_capture_on_commit_callbacks
):
    make_webhook()
    receiver.answer(TimeoutError("would hang"), TimeoutError("would hang"))
    page = ArticlePageFactory(parent=index)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
        page.unpublish()
    assert receiver.requests == []
    assert WebhookDelivery.objects.filter(status=Status.PENDING).count() == 2


def test_scheduled_publishing_fires_webhooks(index, receiver, django_capture_on_commit_callbacks):
    make_webhook(events=["page.published"])
    page = ArticlePageFactory(parent=index, live=False, slug="scheduled")
    revision = page.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(minutes=1)
    revision.save()
    assert not WebhookDelivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")

    page.refresh_from_db()
    assert page.live
    run_worker()
    assert sent(receiver) == [("page.published", "ja", page.pk)]


def test_languages_filter_real_translations(
    english_tree, index, locales, receiver, django_capture_on_commit_callbacks
):
    make_webhook(name="English only", languages=["en"], events=["page.published"])
    page = ArticlePageFactory(parent=index, slug="moon")
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
        english = translate_page(page, locales["en"], title="Moon landing")
    run_worker()
    assert sent(receiver) == [("page.published", "en", english.pk)]


def test_snippet_changes_fire_webhooks(locales, receiver, django_capture_on_commit_callbacks):
    make_webhook(events=["snippet.saved", "snippet.deleted"])
    with django_capture_on_commit_callbacks(execute=True):
        category = CategoryFactory(name="Space", slug="space", locale=locales["en"])
        category_id = category.pk
        category.delete()
    run_worker()
    assert sent(receiver) == [
        ("snippet.saved", "en", category_id),
        ("snippet.deleted", "en", category_id),
    ]


@pytest.mark.parametrize("event", ["page.deleted", "page.moved", "page.unpublished"])
def test_page_events_reach_the_webhooks_that_take_them(
    home, index, receiver, django_capture_on_commit_callbacks, event
):
    make_webhook(events=[event])
    page = ArticlePageFactory(parent=index, slug="moon")
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
        if event == "page.unpublished":
            page.unpublish()
        elif event == "page.deleted":
            page.delete()
        else:
            # A slug change moves the page's URL: a frontend needs the old and new one.
            page.refresh_from_db()
            page.slug = "moon-2"
            page.save_revision().publish()
    run_worker()
    assert [entry[0] for entry in sent(receiver)] == [event]
