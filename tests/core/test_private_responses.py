"""Pages that belong to one visitor are never stored by shared caches."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants, get_messages
from django.contrib.messages.api import add_message

from tests.factories import ArticlePageFactory


@pytest.fixture
def article(english_tree):
    _home, index = english_tree
    return ArticlePageFactory(parent=index, title="Moon dust", slug="moon-dust")


def cache_control(response):
    return response.get("Cache-Control", "")


def test_an_anonymous_article_stays_cacheable(client, article):
    response = client.get(article.url)

    assert response.status_code == 200
    assert "private" not in cache_control(response)
    assert not response.cookies  # no CSRF cookie, no session


def test_a_logged_in_readers_article_is_private(client, article):
    reader = get_user_model().objects.create_user("reader", "reader@example.com", "pw")
    client.force_login(reader)

    response = client.get(article.url)

    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert "private" in cache_control(response)


def test_a_page_showing_a_one_time_message_is_private(client, article):
    # A message waits in the session-less cookie storage, as after deleting an account.
    first = client.get(article.url)
    request = first.wsgi_request
    add_message(request, constants.SUCCESS, "Your account and all its data have been deleted.")
    storage = get_messages(request)
    storage.update(first)
    client.cookies.update(first.cookies)

    response = client.get(article.url)

    assert "Your account and all its data have been deleted." in response.content.decode()
    assert "private" in cache_control(response)


def test_pages_with_a_form_token_are_private(client, home):
    response = client.get("/en/accounts/login/")

    assert response.status_code == 200
    assert "private" in cache_control(response)
