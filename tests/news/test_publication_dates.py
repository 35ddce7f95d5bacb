"""When readers see an article: a date in the future schedules it, in the admin and the API.

The rule (``ArticlePage.hold_until_dates``): no version goes live before the dates it shows.
"""

import json
from datetime import timedelta
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import APIToken

from news.models import ArticlePage
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, admin_add_url
from tests.news.test_admin import article_form, material  # noqa: F401

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%d %H:%M"


def in_days(days):
    """A whole minute ``days`` from now (the admin's fields have minutes, not seconds)."""
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def typed(moment):
    return timezone.localtime(moment).strftime(LOCAL)


def messages_of(response):
    return " ".join(unescape(str(message)) for message in response.context["messages"])


def create(editor, index, material, **fields):  # noqa: F811
    data = article_form(material, updated_date="")
    data.update({name: value for name, value in fields.items() if value is not None})
    for name, value in fields.items():
        if value is None:
            data.pop(name, None)
    return editor.post(admin_add_url(ArticlePage, index), data, follow=True)


def test_publishing_a_future_display_date_schedules_the_article(editor, index, material):  # noqa: F811
    moment = in_days(3)

    response = create(editor, index, material, display_date=typed(moment))

    assert response.status_code == 200
    article = ArticlePage.objects.get(slug="lander-touches-down")
    assert not article.live
    assert article.go_live_at == moment
    assert article.display_date == moment
    assert article.scheduled_revision.approved_go_live_at == moment
    assert article.approved_schedule
    assert "Page 'Lander touches down' created and scheduled for publishing." in messages_of(
        response
    )
    assert not ArticlePage.objects.for_listing(index.locale).exists()


def test_a_draft_with_a_future_display_date_is_not_scheduled(editor, index, material):  # noqa: F811
    data = article_form(material, updated_date="")
    data["display_date"] = typed(in_days(3))
    del data["action-publish"]

    response = editor.post(admin_add_url(ArticlePage, index), data)

    assert response.status_code == 302
    article = ArticlePage.objects.get(slug="lander-touches-down")
    assert not article.live
    assert article.go_live_at is None
    assert article.scheduled_revision is None


def test_a_past_display_date_publishes_at_once(editor, index, material):  # noqa: F811
    moment = in_days(-2)  # once: a second call may fall in the next minute
    response = create(editor, index, material, display_date=typed(moment))

    article = ArticlePage.objects.get(slug="lander-touches-down")
    assert article.live
    assert article.display_date == moment
    assert article.go_live_at is None
    assert "Page 'Lander touches down' created and published." in messages_of(response)


def test_a_go_live_later_than_the_display_date_becomes_the_display_date(
    editor,
    index,
    material,  # noqa: F811
):
    go_live = in_days(5)

    create(
        editor,
        index,
        material,
        display_date=typed(in_days(-1)),
        updated_date=typed(in_days(1)),
        go_live_at=typed(go_live),
    )

    article = ArticlePage.objects.get(slug="lander-touches-down")
    assert not article.live
    assert article.go_live_at == go_live
    # Readers will see the article first at the go-live: that is its date. There was nothing
    # to correct before it was published.
    assert article.display_date == go_live
    assert article.updated_date is None
    assert article.get_latest_revision_as_object().display_date == go_live


def test_a_go_live_earlier_than_the_display_date_waits_for_the_display_date(
    editor,
    index,
    material,  # noqa: F811
):
    display = in_days(4)

    create(editor, index, material, display_date=typed(display), go_live_at=typed(in_days(1)))

    article = ArticlePage.objects.get(slug="lander-touches-down")
    assert (article.live, article.go_live_at, article.display_date) == (False, display, display)


def test_a_live_article_moved_into_the_future_stays_as_it_was_until_then(
    editor,
    index,
    material,  # noqa: F811
):
    published = in_days(-10)
    create(editor, index, material, display_date=typed(published))
    article = ArticlePage.objects.get(slug="lander-touches-down")
    assert article.live
    moment = in_days(2)
    data = article_form(material, updated_date="")
    data["display_date"] = typed(moment)

    url = reverse("wagtailadmin_pages:edit", args=[article.pk])
    response = editor.post(url, data, follow=True)

    assert response.status_code == 200
    article = ArticlePage.objects.get(pk=article.pk)
    assert article.live
    assert article.display_date == published  # readers still see the published version
    assert article.scheduled_revision.approved_go_live_at == moment
    assert article.get_scheduled_revision_as_object().display_date == moment
    assert (
        "Page 'Lander touches down' is live and this version has been scheduled for publishing."
        in messages_of(response)
    )


def test_scheduled_publishing_brings_the_article_out_with_its_date(index):
    moment = in_days(1)
    article = ArticlePageFactory(parent=index, live=False, display_date=moment)
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live
    revision = article.scheduled_revision

    # The moment has come (Wagtail's publish_scheduled runs every few minutes).
    past = timezone.now() - timedelta(minutes=1)
    revision.approved_go_live_at = past
    content = revision.content
    content["display_date"] = content["go_live_at"] = past.isoformat()
    revision.content = content
    revision.save()
    call_command("publish_scheduled")

    article = ArticlePage.objects.get(pk=article.pk)
    assert article.live
    assert article.display_date == past
    assert article.scheduled_revision is None


def test_a_translation_does_not_go_live_before_its_source(index, english_tree, locales):
    moment = in_days(2)
    source = ArticlePageFactory(parent=index, display_date=timezone.now() - timedelta(hours=1))
    source.save_revision().publish()
    # Translated while live, then taken down and scheduled again for later.
    translation = translate_page(source, locales["en"], title="Landing")
    source.refresh_from_db()
    source.unpublish()
    source.refresh_from_db()
    source.display_date = moment
    source.save_revision().publish()
    source.refresh_from_db()
    assert not source.live

    translation.refresh_from_db()
    translation.unpublish()
    translation.refresh_from_db()
    translation.save_revision().publish()  # its own (synchronised) date is in the past

    translation.refresh_from_db()
    assert not translation.live
    assert translation.go_live_at == moment
    assert translation.scheduled_revision.approved_go_live_at == moment


def test_the_publication_date_must_come_before_the_expiry(editor, index, material):  # noqa: F811
    data = article_form(material, updated_date="")
    data["display_date"] = typed(in_days(5))
    data["expire_at"] = typed(in_days(2))

    response = editor.post(admin_add_url(ArticlePage, index), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    with translation.override("en"):  # the messages are lazy: read them in the editor's language
        assert "expiry" in str(errors["display_date"])
    assert not ArticlePage.objects.filter(slug="lander-touches-down").exists()


@pytest.mark.parametrize("value", ["2026-13-45 25:61", "tomorrow", "9999-12-31 23:59"])
def test_odd_dates_are_form_errors_not_500(editor, index, material, value):  # noqa: F811
    response = create(editor, index, material, display_date=value, go_live_at=value)

    assert response.status_code == 200
    if ArticlePage.objects.filter(slug="lander-touches-down").exists():
        article = ArticlePage.objects.get(slug="lander-touches-down")
        assert not article.live  # 9999 is a date, far away: scheduled, never published now
    else:
        assert response.context["form"].errors


# -- the v3 API ----------------------------------------------------------------------------


@pytest.fixture
def auth(admin_user):
    _, plaintext = APIToken.create_token(user=admin_user, name="newsroom")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_api_publish_of_a_future_display_date_schedules(client, index, auth):
    moment = in_days(2)
    article = ArticlePageFactory(parent=index, live=False, display_date=moment)
    article.save_revision()

    response = client.post(f"/api/v3/pages/{article.pk}/actions/publish/", **auth)

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["meta"]["live"] is False
    assert answer["meta"]["scheduled_at"] == moment.isoformat().replace("+00:00", "Z")
    article.refresh_from_db()
    assert not article.live
    assert article.scheduled_revision.approved_go_live_at == moment
    listing = client.get("/api/v2/pages/", {"type": "news.ArticlePage", "locale": "ja"})
    assert article.pk not in [item["id"] for item in listing.json()["items"]]


def test_api_publish_of_a_past_display_date_goes_live(client, index, auth):
    article = ArticlePageFactory(parent=index, live=False, display_date=in_days(-1))
    article.save_revision()

    response = client.post(f"/api/v3/pages/{article.pk}/actions/publish/", **auth)

    assert response.status_code == 200
    assert (response.json()["meta"]["live"], response.json()["meta"]["scheduled_at"]) == (
        True,
        None,
    )


def test_api_patch_and_publish_of_a_live_article_schedules_the_new_version(client, index, auth):
    moment = in_days(2)
    article = ArticlePageFactory(parent=index, display_date=moment - timedelta(days=9))
    article.save_revision().publish()
    article.refresh_from_db()
    # display_date is read-only in the API; the editor moved it in a draft.
    draft = article.get_latest_revision_as_object()
    draft.display_date = moment
    draft.save_revision()
    tag = client.get(f"/api/v3/pages/{article.pk}/", {"version": "draft"}, **auth)["ETag"]

    response = client.patch(
        f"/api/v3/pages/{article.pk}/",
        json.dumps(
            {"meta": {"type": "news.ArticlePage", "action": "publish"}, "summary": "Later."}
        ),
        content_type="application/json",
        HTTP_IF_MATCH=tag,
        **auth,
    )

    assert response.status_code == 200, response.content
    assert response.json()["meta"]["live"] is True
    assert response.json()["meta"]["scheduled_at"] == moment.isoformat().replace("+00:00", "Z")
    article.refresh_from_db()
    assert article.summary != "Later."  # the live version is unchanged until then
