"""v3 writes honour Wagtail's locks, and a PATCH of a page needs If-Match (lost updates)."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import (
    GroupPagePermission,
    Page,
)

from news.models import ArticlePage
from tests.api.tokens import token_for
from tests.factories import full_article, paragraph, section

PROBLEM = "application/problem+json"
TYPE = {"type": "news.ArticlePage"}


@pytest.fixture
def article(index, category):
    page = full_article(
        index, title="月面着陸", slug="moon-landing", category=category, summary="Before."
    )
    page.save_revision().publish()
    return page


@pytest.fixture
def first_revision(article):
    return ArticlePage.objects.get(pk=article.pk).get_latest_revision()


@pytest.fixture
def desk(index, django_user_model):
    """Two editors of the Japanese articles: ``desk["rin"]`` and ``desk["sora"]``."""
    group = Group.objects.create(name="Article desk")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for action in ("add_page", "change_page", "publish_page", "lock_page"):
        GroupPagePermission.objects.create(
            group=group, page=index, permission=Permission.objects.get(codename=action)
        )
    users = {}
    for name in ("rin", "sora"):
        user = django_user_model.objects.create_user(
            name, f"{name}@example.com", "pw", first_name=name.capitalize(), last_name="Sato"
        )
        user.groups.add(group)
        users[name] = user
    return users


def url(page):
    return f"/api/v3/pages/{page.pk}/"


def etag(client, page, auth):
    response = client.get(url(page), {"version": "draft", "rich_text_format": "db_html"}, **auth)
    assert response.status_code == 200, response.content
    return response["ETag"]


def lock(page, user):
    Page.objects.filter(pk=page.pk).update(locked=True, locked_by=user, locked_at=timezone.now())


def send(client, page, auth, name, *, index=None, revision=None, if_match=True):
    """One v3 action on ``page`` by ``auth``'s user, with the current ETag unless told."""
    headers = {"HTTP_IF_MATCH": etag(client, page, auth)} if if_match else {}
    if name == "patch":
        body = {"meta": TYPE, "summary": "Changed through the API."}
        return client.patch(
            url(page), json.dumps(body), content_type="application/json", **auth, **headers
        )
    if name == "delete":
        return client.delete(url(page), **auth, **headers)
    data = {
        "revert": {"revision_id": revision.pk if revision else None},
        "move": {"destination_id": index.pk if index else None, "position": "first-child"},
    }.get(name, {})
    method = client.delete if name == "actions/delete" else client.post
    path = f"{url(page)}actions/{name.removeprefix('actions/')}/"
    return method(path, json.dumps(data), content_type="application/json", **auth, **headers)


ACTIONS = ["patch", "publish", "unpublish", "revert", "delete", "actions/delete", "move"]


def state(page):
    return Page.objects.filter(pk=page.pk).values("live", "latest_revision_id", "path").first()


@pytest.mark.parametrize("name", ACTIONS)
def test_a_page_locked_by_another_editor_is_refused_423(client, article, desk, name, index):
    lock(article, desk["rin"])
    first = article.get_latest_revision()
    article.save_revision(user=desk["rin"])  # something to publish or revert
    before = state(article)

    response = send(client, article, token_for(desk["sora"]), name, index=index, revision=first)

    assert response.status_code == 423, response.content
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 423
    assert problem["title"] == "Locked"
    assert "Rin Sato" in problem["detail"]
    assert problem["lock"]["kind"] == "user"
    assert problem["lock"]["locked_by"] == "Rin Sato"
    assert state(article) == before  # nothing changed


@pytest.mark.parametrize("name", ACTIONS)
def test_the_lock_owner_may_still_act(client, article, desk, name, index):
    lock(article, desk["rin"])
    first = article.get_latest_revision()
    article.save_revision(user=desk["rin"])

    response = send(client, article, token_for(desk["rin"]), name, index=index, revision=first)

    assert response.status_code in (200, 204), response.content


def test_a_superuser_is_stopped_by_another_editors_lock_too(client, article, desk, admin_user):
    """As in the admin: a superuser sees the lock, and may unlock the page there first."""
    lock(article, desk["rin"])

    response = send(client, article, token_for(admin_user), "publish")

    assert response.status_code == 423


def test_a_caller_who_may_not_edit_gets_403_not_the_lock(client, article, desk, django_user_model):
    lock(article, desk["rin"])
    outsider = django_user_model.objects.create_user("outsider", "o@example.com", "pw")

    response = send(client, article, token_for(outsider), "publish", if_match=False)

    assert response.status_code == 403
    assert "Rin" not in response.content.decode()


@pytest.fixture
def in_moderation(article, desk):
    """The article submitted to Wagtail's default workflow, whose task only Moderators act on."""
    page = ArticlePage.objects.get(pk=article.pk)
    workflow = page.get_workflow()
    assert [task.name for task in workflow.tasks] == ["Moderators approval"]
    workflow.start(page, desk["rin"])
    return page


@pytest.mark.parametrize("name", ["patch", "publish", "delete"])
def test_a_page_in_a_workflow_that_locks_it_is_refused_423(client, in_moderation, desk, name):
    response = send(client, in_moderation, token_for(desk["sora"]), name)

    assert response.status_code == 423, response.content
    problem = response.json()
    assert problem["lock"]["kind"] == "workflow"
    assert "Moderators approval" in problem["detail"]
    assert Page.objects.filter(pk=in_moderation.pk, live=True).exists()


# ---------------------------------------------------------------------------
# If-Match is required on PATCH
# ---------------------------------------------------------------------------


def test_a_patch_without_if_match_answers_428_and_saves_nothing(client, article, desk):
    auth = token_for(desk["rin"])
    count = Page.objects.get(pk=article.pk).revisions.count()

    response = send(client, article, auth, "patch", if_match=False)

    assert response.status_code == 428, response.content
    assert response["Content-Type"] == PROBLEM
    detail = response.json()["detail"]
    assert "If-Match" in detail
    assert f"/api/v3/pages/{article.pk}/?version=draft" in detail
    assert Page.objects.get(pk=article.pk).revisions.count() == count


def test_a_patch_with_a_stale_tag_answers_412(client, article, desk):
    auth = token_for(desk["rin"])
    stale = etag(client, article, auth)
    article.save_revision()

    response = client.patch(
        url(article),
        json.dumps({"meta": TYPE, "summary": "Mine."}),
        content_type="application/json",
        HTTP_IF_MATCH=stale,
        **auth,
    )

    assert response.status_code == 412


def test_two_patches_with_one_tag_the_second_answers_412(client, article, desk):
    rin, sora = token_for(desk["rin"]), token_for(desk["sora"])
    tag = etag(client, article, rin)

    def write(auth, summary):
        return client.patch(
            url(article),
            json.dumps({"meta": TYPE, "summary": summary, "body": [section("A", [paragraph()])]}),
            content_type="application/json",
            HTTP_IF_MATCH=tag,
            **auth,
        )

    assert write(rin, "Rin's.").status_code == 200
    assert write(sora, "Sora's.").status_code == 412
    assert ArticlePage.objects.get(pk=article.pk).get_latest_revision_as_object().summary == (
        "Rin's."
    )


def test_the_other_writes_do_not_need_if_match(client, article, desk):
    response = send(client, article, token_for(desk["rin"]), "unpublish", if_match=False)

    assert response.status_code == 200, response.content


def test_the_openapi_document_describes_locks_and_the_required_tag(client, db):
    paths = client.get("/api/v3/openapi.json").json()["paths"]
    update = paths["/api/v3/pages/{page_id}/"]["patch"]
    (if_match,) = [p for p in update["parameters"] if p["name"] == "If-Match"]

    assert if_match["required"] is True
    assert {"412", "423", "428"} <= update["responses"].keys()
    assert "423" in paths["/api/v3/pages/{page_id}/actions/move/"]["post"]["responses"]
    assert "428" not in paths["/api/v3/pages/{page_id}/actions/publish/"]["post"]["responses"]
