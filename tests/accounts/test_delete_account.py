"""Deleting a reader account, with everything that belongs to it."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import ReaderProfile, SavedArticle
from tests.factories import ArticlePageFactory

from .conftest import PASSWORD, make_reader, ui

User = get_user_model()


@pytest.fixture
def saved_reader(reader, index):
    SavedArticle.objects.create(user=reader, article=ArticlePageFactory(parent=index))
    return reader


def test_the_page_asks_for_the_password(reader_client):
    response = reader_client.get("/en/accounts/delete/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="password"' in html and 'name="password"' in html
    assert 'class="template-account"' in html


def test_anonymous_visitors_are_sent_to_login(client, home):
    response = client.post("/en/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_a_wrong_password_deletes_nothing(reader_client, saved_reader):
    response = reader_client.post("/en/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 400
    assert ui("Incorrect password.", "en") in response.content.decode()
    assert User.objects.filter(pk=saved_reader.pk).exists()
    assert SavedArticle.objects.filter(user=saved_reader).count() == 1
    assert reader_client.get("/en/accounts/").status_code == 200


def test_the_reader_and_all_their_data_are_deleted(reader_client, saved_reader, english_tree):
    other_device = Client()
    other_device.force_login(saved_reader)
    stranger = make_reader("stranger@example.com")
    Client().force_login(stranger)
    assert Session.objects.count() == 3

    response = reader_client.post("/en/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/"

    assert not User.objects.filter(pk=saved_reader.pk).exists()
    assert not ReaderProfile.objects.filter(user_id=saved_reader.pk).exists()
    assert not SavedArticle.objects.filter(user_id=saved_reader.pk).exists()
    assert not EmailAddress.objects.filter(email="reader@example.com").exists()
    # Both of the reader's sessions are gone; the stranger's is untouched.
    assert Session.objects.count() == 1
    assert "_auth_user_id" not in reader_client.session
    assert other_device.get("/en/accounts/").status_code == 302

    home_page = reader_client.get("/en/").content.decode()
    assert ui("Your account and all its data have been deleted.", "en") in home_page
    assert ui("My account", "en") not in home_page

    response = reader_client.post(
        "/en/accounts/login/", {"login": "reader@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in reader_client.session


def test_the_reader_lands_on_the_home_page_of_the_page_language(reader_client, reader, home):
    response = reader_client.post("/ja/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/ja/", 302)]
    html = response.content.decode()
    assert '<html lang="ja"' in html
    assert ui("Your account and all its data have been deleted.", "ja") in html


@pytest.mark.parametrize("kind", ["superuser", "staff", "wagtail editor"])
def test_editors_cannot_delete_themselves_here(client, home, kind):
    editor = make_reader("editor@example.com")
    if kind == "superuser":
        editor.is_superuser = editor.is_staff = True
    elif kind == "staff":
        editor.is_staff = True
    else:
        editor.groups.add(Group.objects.get(name="Editors"))
    editor.save()
    client.force_login(editor)

    for response in (
        client.get("/en/accounts/delete/"),
        client.post("/en/accounts/delete/", {"password": PASSWORD}),
    ):
        assert response.status_code == 403
        assert (
            ui(
                "Editor accounts cannot be deleted here: an administrator manages them in the "
                "Wagtail admin.",
                "en",
            )
            in response.content.decode()
        )
    assert User.objects.filter(pk=editor.pk).exists()


def test_deleting_a_reader_in_the_wagtail_admin_deletes_their_data(editor, saved_reader):
    response = editor.post(reverse("wagtailusers_users:delete", args=[saved_reader.pk]))
    assert response.status_code == 302
    assert not User.objects.filter(pk=saved_reader.pk).exists()
    assert not ReaderProfile.objects.exists()
    assert not SavedArticle.objects.exists()


def test_the_wagtail_user_admin_still_edits_readers(editor, reader):
    response = editor.get(reverse("wagtailusers_users:edit", args=[reader.pk]))
    assert response.status_code == 200
    assert 'value="reader@example.com"' in response.content.decode()
