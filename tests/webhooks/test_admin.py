"""Settings → Webhooks: set one up, read its delivery log, send a test, retry, who may."""

import html
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from webhooks import delivery, transport
from webhooks.models import TEST_EVENT, Webhook, WebhookDelivery

from .conftest import make_webhook

Status = WebhookDelivery.Status
ADD_URL = reverse("webhooks:add")
INDEX_URL = reverse("webhooks:index")
LOG_URL = reverse("webhook_deliveries:index")


def text(response):
    """The page with entities decoded and runs of white space made one space."""
    return " ".join(html.unescape(response.content.decode()).split())


def form(**changes):
    data = {
        "name": "Frontend build",
        "url": "https://hooks.frontend.example/ukiyo",
        "events": ["page.published", "page.unpublished"],
        "languages": ["ja", "en"],
        "active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def inspect_url(found):
    return reverse("webhook_deliveries:inspect", args=[found.pk])


def denied(response):
    """Wagtail answers a refused admin URL with a redirect to the dashboard and a message."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def finished_delivery(webhook, status, response_status, event="page.published"):
    payload = {"id": 5, "locale": "ja", "title": "月面着陸"}
    found = delivery.new_delivery(webhook, event, payload=payload)
    found.status = status
    found.attempts = 1
    found.response_status = response_status
    found.response_body = "receiver says: out of disk"
    found.save()
    return found


@pytest.fixture
def staff(client, db):
    """A client for an admin user with no webhook permission, reading the English admin."""

    def login(*codenames):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(
            username=f"editor-{'-'.join(codenames) or 'none'}", password="x"
        )
        group = Group.objects.create(name=f"Editors {'-'.join(codenames)}")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        for codename in codenames:
            group.permissions.add(Permission.objects.get(codename=codename))
        user.groups.add(group)
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
        client.force_login(user)
        return client

    return login


def test_webhooks_are_in_the_settings_menu_and_the_form_shows_a_new_secret(editor):
    home = text(editor.get(reverse("wagtailadmin_home")))
    assert INDEX_URL in home
    response = editor.get(ADD_URL)
    assert response.status_code == 200
    page = text(response)
    assert "whsec_" in page
    assert 'name="events"' in page
    assert 'name="rotate_secret"' not in page  # only when editing


def test_creating_a_webhook(editor, public_dns):
    response = editor.post(ADD_URL, form())
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert webhook.url == "https://hooks.frontend.example/ukiyo"
    assert webhook.events == ["page.published", "page.unpublished"]
    assert webhook.languages == ["ja", "en"]
    assert webhook.secret.startswith("whsec_")
    assert len(webhook.secret) > 40
    listing = text(editor.get(INDEX_URL))
    assert "Frontend build" in listing
    assert "Page published, Page unpublished" in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "http://hooks.frontend.example/"}, "Use an https:// URL"),
        ({"url": "ftp://hooks.frontend.example/"}, "Use an https:// URL"),
        ({"url": "https://user:pass@hooks.frontend.example/"}, "Remove the user name and password"),
        ({"url": "https://127.0.0.1/hook"}, "127.0.0.1 is a private, loopback or link-local"),
        ({"url": "https://internal.example/"}, "(10.0.0.7): webhooks may only call receivers"),
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"events": None}, "Choose at least one event."),
        ({"events": ["page.exploded"]}, "Select a valid choice."),
        ({"languages": ["xx"]}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_lost(
    editor, public_dns, changes, message
):
    public_dns["internal.example"] = ["10.0.0.7"]
    response = editor.post(ADD_URL, form(name="Keep this name", **changes))
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert 'value="Keep this name"' in page
    assert not Webhook.objects.exists()


def test_private_receivers_are_allowed_in_development(editor, settings):
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    response = editor.post(ADD_URL, form(url="http://localhost:3000/api/revalidate"))
    assert response.status_code == 302
    assert Webhook.objects.get().url == "http://localhost:3000/api/revalidate"


def test_editing_can_rotate_the_secret(editor, public_dns):
    webhook = make_webhook()
    old_secret = webhook.secret
    edit_url = reverse("webhooks:edit", args=[webhook.pk])
    page = text(editor.get(edit_url))
    assert old_secret in page
    assert 'name="rotate_secret"' in page

    editor.post(edit_url, form(name="Renamed"))
    webhook.refresh_from_db()
    assert (webhook.name, webhook.secret) == ("Renamed", old_secret)

    editor.post(edit_url, form(rotate_secret="on"))
    webhook.refresh_from_db()
    assert webhook.secret != old_secret
    assert webhook.previous_secret == old_secret
    assert webhook.signing_secrets() == [webhook.secret, old_secret]


def test_the_delivery_log_lists_one_webhooks_deliveries(editor, public_dns):
    webhook = make_webhook()
    other = make_webhook(name="Search index", events=["snippet.saved"])
    failed = finished_delivery(webhook, Status.FAILED, 404, event="page.unpublished")
    succeeded = finished_delivery(webhook, Status.SUCCEEDED, 200)
    elsewhere = finished_delivery(other, Status.SUCCEEDED, 200, event="snippet.saved")

    edit_page = text(editor.get(reverse("webhooks:edit", args=[webhook.pk])))
    log_url = f"{LOG_URL}?webhook={webhook.pk}"
    assert log_url in edit_page

    log = text(editor.get(log_url))
    assert inspect_url(failed) in log
    assert inspect_url(succeeded) in log
    assert inspect_url(elsewhere) not in log
    assert "Page unpublished </a>" in log
    assert "Page published </a>" in log
    assert "月面着陸 (ja)" in log  # what each delivery was about
    assert "Failed" in log and "Succeeded" in log
    assert "404" in log

    only_failed = text(editor.get(f"{LOG_URL}?status=failed"))
    assert inspect_url(failed) in only_failed
    assert inspect_url(succeeded) not in only_failed


def test_a_delivery_shows_its_request_and_the_answer(editor, public_dns):
    webhook = make_webhook()
    failed = finished_delivery(webhook, Status.FAILED, 404)
    page = text(editor.get(reverse("webhook_deliveries:inspect", args=[failed.pk])))
    assert f'"id": "{failed.pk}"' in page  # the body, pretty-printed
    assert '"locale": "ja"' in page
    assert "receiver says: out of disk" in page
    assert reverse("webhook_deliveries:retry", args=[failed.pk]) in page
    assert webhook.secret not in page


def test_send_a_test_delivery(editor, receiver):
    webhook = make_webhook()
    test_url = reverse("webhooks:send_test", args=[webhook.pk])
    assert test_url in text(editor.get(reverse("webhooks:edit", args=[webhook.pk])))
    assert editor.get(test_url).status_code == 200
    assert receiver.requests == []  # a GET only asks

    response = editor.post(test_url, follow=True)
    sent = WebhookDelivery.objects.get()
    assert sent.event == TEST_EVENT
    assert sent.status == Status.SUCCEEDED
    assert response.redirect_chain[-1][0] == reverse("webhook_deliveries:inspect", args=[sent.pk])
    assert "Delivered: https://hooks.frontend.example/ukiyo answered 200." in text(response)
    (request,) = receiver.requests
    body = json.loads(request["body"])
    assert body["event"] == TEST_EVENT
    assert body["change"] is None


def test_a_failing_test_delivery_says_why_and_is_not_retried(editor, receiver):
    webhook = make_webhook()
    receiver.answer(transport.DeliveryError("No answer within 5 s", retry=True))
    response = editor.post(reverse("webhooks:send_test", args=[webhook.pk]), follow=True)
    assert "Not delivered: No answer within 5 s" in text(response)
    sent = WebhookDelivery.objects.get()
    assert sent.status == Status.FAILED
    assert sent.next_attempt_at is None


def test_retry_now(editor, receiver):
    webhook = make_webhook()
    given_up = finished_delivery(webhook, Status.GIVEN_UP, 503)
    retry_url = reverse("webhook_deliveries:retry", args=[given_up.pk])
    assert editor.get(retry_url).status_code == 200

    response = editor.post(retry_url, follow=True)
    assert "Delivered: https://hooks.frontend.example/ukiyo answered 200." in text(response)
    given_up.refresh_from_db()
    assert given_up.status == Status.SUCCEEDED
    assert given_up.attempts == 2
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["body"] == given_up.body.encode()


def test_only_failed_deliveries_of_active_webhooks_are_retried(editor, receiver):
    webhook = make_webhook()
    succeeded = finished_delivery(webhook, Status.SUCCEEDED, 200)
    response = editor.post(reverse("webhook_deliveries:retry", args=[succeeded.pk]), follow=True)
    assert "Only failed or given-up deliveries can be retried." in text(response)

    failed = finished_delivery(webhook, Status.FAILED, 500)
    Webhook.objects.update(active=False)
    response = editor.post(reverse("webhook_deliveries:retry", args=[failed.pk]), follow=True)
    assert "Activate the webhook before retrying its deliveries." in text(response)
    assert receiver.requests == []


def test_an_editor_without_the_permission_sees_nothing(staff, public_dns):
    webhook = make_webhook()
    failed = finished_delivery(webhook, Status.FAILED, 500)
    client = staff()
    assert INDEX_URL not in text(client.get(reverse("wagtailadmin_home")))
    for url in [
        INDEX_URL,
        ADD_URL,
        reverse("webhooks:edit", args=[webhook.pk]),
        reverse("webhooks:send_test", args=[webhook.pk]),
        LOG_URL,
        reverse("webhook_deliveries:inspect", args=[failed.pk]),
        reverse("webhook_deliveries:retry", args=[failed.pk]),
    ]:
        assert denied(client.get(url)), url
    assert denied(client.post(reverse("webhook_deliveries:retry", args=[failed.pk])))
    assert denied(client.post(reverse("webhooks:send_test", args=[webhook.pk])))
    assert WebhookDelivery.objects.count() == 1


def test_the_view_permission_reads_the_log_but_not_secrets(staff, public_dns):
    webhook = make_webhook()
    failed = finished_delivery(webhook, Status.FAILED, 500)
    client = staff("view_webhook")
    assert INDEX_URL in text(client.get(reverse("wagtailadmin_home")))
    assert "Frontend build" in text(client.get(INDEX_URL))
    inspect = text(client.get(reverse("webhooks:inspect", args=[webhook.pk])))
    assert webhook.url in inspect
    assert webhook.secret not in inspect
    assert denied(client.get(reverse("webhooks:edit", args=[webhook.pk])))
    assert "Page published" in text(client.get(f"{LOG_URL}?webhook={webhook.pk}"))
    detail = text(client.get(reverse("webhook_deliveries:inspect", args=[failed.pk])))
    assert "receiver says: out of disk" in detail
    assert reverse("webhook_deliveries:retry", args=[failed.pk]) not in detail
    assert denied(client.post(reverse("webhook_deliveries:retry", args=[failed.pk])))
    assert denied(client.post(reverse("webhooks:send_test", args=[webhook.pk])))
    assert WebhookDelivery.objects.count() == 1


def test_the_log_is_never_written_by_hand(editor, public_dns):
    webhook = make_webhook()
    failed = finished_delivery(webhook, Status.FAILED, 500)
    assert denied(editor.get(reverse("webhook_deliveries:add")))
    assert denied(editor.get(reverse("webhook_deliveries:edit", args=[failed.pk])))
    assert denied(editor.post(reverse("webhook_deliveries:delete", args=[failed.pk])))
    assert WebhookDelivery.objects.filter(pk=failed.pk).exists()


def test_each_error_is_said_once(editor, public_dns):
    page = text(editor.post(ADD_URL, form(events=None)))
    assert page.count("Choose at least one event.") == 1


def test_the_model_refuses_bad_events_outside_forms_too(db, public_dns):
    from django.core.exceptions import ValidationError

    webhook = Webhook(name="Shell", url="https://hooks.frontend.example/", events=[])
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            webhook.full_clean()
        assert refused.value.message_dict == {"events": ["Choose at least one event."]}
        webhook.events, webhook.languages = ["page.published"], ["xx"]
        with pytest.raises(ValidationError) as refused:
            webhook.full_clean()
        assert refused.value.message_dict == {"languages": ["Choose only languages of this site."]}
