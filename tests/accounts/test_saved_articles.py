"""Saving articles: the button on the article page, the endpoint, the account list."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from accounts.models import SavedArticle
from tests.conftest import translate_page, without_nonce
from tests.factories import ArticlePageFactory
from tests.news.test_queries import queries_for

from .conftest import make_reader, ui


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")


@pytest.fixture
def english_article(article, english_tree, locales):
    return translate_page(article, locales["en"], title="Moon landing")


def save_form(html):
    match = re.search(r'<form class="save-article__form".*?</form>', html, re.S)
    return match and match.group(0)


def test_anonymous_readers_get_a_login_link_and_the_same_html(client, article):
    response = client.get(article.url)
    html = response.content.decode()
    assert save_form(html) is None
    assert 'href="/ja/accounts/login/?next=/ja/articles/moon-landing/"' in html
    assert ui("Save article", "ja") in html
    assert "csrfmiddlewaretoken" not in html
    assert settings.CSRF_COOKIE_NAME not in response.cookies
    assert not response.cookies

    # Another visitor, who has been to the login page (so has a CSRF cookie), gets the
    # same bytes: the page can be cached for everyone who is not logged in.
    other = Client()
    other.get("/ja/accounts/login/")
    assert other.cookies.get(settings.CSRF_COOKIE_NAME)
    assert without_nonce(other.get(article.url).content) == without_nonce(response.content)


def test_reader_saves_an_article_and_it_shows_as_saved(reader_client, reader, article):
    form = save_form(reader_client.get(article.url).content.decode())
    assert f'action="/ja/accounts/saved/{article.pk}/"' in form
    assert "csrfmiddlewaretoken" in form

    response = reader_client.post(f"/ja/accounts/saved/{article.pk}/", {"next": article.url})
    assert response.status_code == 302
    assert response["Location"] == article.url
    assert SavedArticle.objects.filter(user=reader, article=article).count() == 1

    html = reader_client.get(article.url).content.decode()
    assert ui("“%(title)s” is saved in your account.", "ja") % {"title": "月面着陸"} in html
    form = save_form(html)
    assert ui("Saved in your account", "ja") in form
    assert f'action="/ja/accounts/saved/{article.pk}/remove/"' in form

    # Sent twice (two tabs): still saved once.
    reader_client.post(f"/ja/accounts/saved/{article.pk}/")
    assert SavedArticle.objects.filter(user=reader).count() == 1

    response = reader_client.post(f"/ja/accounts/saved/{article.pk}/remove/", {"next": article.url})
    assert response["Location"] == article.url
    assert not SavedArticle.objects.filter(user=reader).exists()
    html = reader_client.get(article.url).content.decode()
    assert ui("“%(title)s” is no longer saved.", "ja") % {"title": "月面着陸"} in html
    assert f'action="/ja/accounts/saved/{article.pk}/"' in save_form(html)
    # Removing twice is harmless too.
    reader_client.post(f"/ja/accounts/saved/{article.pk}/remove/")
    assert not SavedArticle.objects.filter(user=reader).exists()


def test_a_saved_article_is_saved_in_all_its_languages(reader_client, reader, english_article):
    article = english_article.get_translation(english_article.locale.get_default())
    reader_client.post(f"/ja/accounts/saved/{article.pk}/")

    form = save_form(reader_client.get(english_article.url).content.decode())
    assert f'action="/en/accounts/saved/{english_article.pk}/remove/"' in form
    assert ui("Saved in your account", "en") in form

    # Saving the translation again does not make a second entry; removing it removes the save.
    reader_client.post(f"/en/accounts/saved/{english_article.pk}/")
    assert SavedArticle.objects.filter(user=reader).count() == 1
    reader_client.post(f"/en/accounts/saved/{english_article.pk}/remove/")
    assert not SavedArticle.objects.filter(user=reader).exists()


def test_saves_belong_to_their_reader(reader_client, reader, article):
    reader_client.post(f"/ja/accounts/saved/{article.pk}/")
    other = Client()
    other.force_login(make_reader("other@example.com"))
    form = save_form(other.get(article.url).content.decode())
    assert f'action="/ja/accounts/saved/{article.pk}/"' in form
    assert SavedArticle.objects.get().user == reader


def test_the_endpoints_only_take_posts(reader_client, reader, article):
    assert reader_client.get(f"/ja/accounts/saved/{article.pk}/").status_code == 405
    SavedArticle.objects.create(user=reader, article=article)
    assert reader_client.get(f"/ja/accounts/saved/{article.pk}/remove/").status_code == 405
    assert SavedArticle.objects.filter(user=reader).exists()


def test_the_endpoint_only_saves_live_articles(reader_client, reader, article, index, home):
    draft = ArticlePageFactory(parent=index, live=False)
    for page_id in (home.pk, index.pk, draft.pk, 999_999):
        for path in (f"/ja/accounts/saved/{page_id}/", f"/ja/accounts/saved/{page_id}/remove/"):
            assert reader_client.post(path).status_code == 404, path
    assert not SavedArticle.objects.exists()


def test_anonymous_posts_go_to_login_and_come_back_to_the_article(client, article):
    response = client.post(f"/ja/accounts/saved/{article.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/ja/accounts/login/?next=/ja/articles/moon-landing/"
    assert not SavedArticle.objects.exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.net/", "//evil.example.net/x", "javascript:alert(1)"]
)
def test_the_redirect_never_leaves_the_site(reader_client, article, next_url):
    response = reader_client.post(f"/ja/accounts/saved/{article.pk}/", {"next": next_url})
    assert response["Location"] == article.url


def saved_titles(html):
    return re.findall(r'<a class="saved-list__title"[^>]*>([^<]+)</a>', html)


def saved_item(html, title):
    """The list item of the saved article titled ``title``."""
    items = re.findall(r'<li class="saved-list__item">.*?</li>', html, re.S)
    (item,) = [item for item in items if f">{title}</a>" in item]
    return item


def test_the_list_shows_each_article_in_the_page_language_when_translated(
    reader_client, reader, english_article, index
):
    article = english_article.get_translation(english_article.locale.get_default())
    untranslated = ArticlePageFactory(parent=index, title="日本語だけの記事")
    SavedArticle.objects.create(user=reader, article=article)
    SavedArticle.objects.create(user=reader, article=untranslated)

    html = reader_client.get("/en/accounts/").content.decode()
    # Newest first; the untranslated one in Japanese, marked so, with its own lang.
    assert saved_titles(html) == ["日本語だけの記事", "Moon landing"]
    assert f'href="{english_article.url}"' in saved_item(html, "Moon landing")
    assert 'lang="ja"' not in saved_item(html, "Moon landing")
    assert f'href="{untranslated.url}" lang="ja"' in saved_item(html, "日本語だけの記事")
    assert '<span lang="ja">日本語</span>' in saved_item(html, "日本語だけの記事")

    html = reader_client.get("/ja/accounts/").content.decode()
    assert saved_titles(html) == ["日本語だけの記事", "月面着陸"]


def test_unpublished_articles_leave_the_list(reader_client, reader, article):
    SavedArticle.objects.create(user=reader, article=article)
    article.unpublish()
    assert saved_titles(reader_client.get("/ja/accounts/").content.decode()) == []


def test_removing_from_the_list_comes_back_to_the_list(reader_client, reader, article):
    SavedArticle.objects.create(user=reader, article=article)
    html = reader_client.get("/ja/accounts/?page=1").content.decode()
    assert f'action="/ja/accounts/saved/{article.pk}/remove/"' in html
    response = reader_client.post(
        f"/ja/accounts/saved/{article.pk}/remove/", {"next": "/ja/accounts/?page=1"}
    )
    assert response["Location"] == "/ja/accounts/?page=1"
    assert not SavedArticle.objects.exists()


def test_the_list_is_paginated(reader_client, reader, index):
    for n in range(25):
        SavedArticle.objects.create(
            user=reader, article=ArticlePageFactory(parent=index, title=f"記事{n:02}")
        )
    first = saved_titles(reader_client.get("/ja/accounts/").content.decode())
    second = saved_titles(reader_client.get("/ja/accounts/?page=2").content.decode())
    assert len(first) == 20 and len(second) == 5
    assert first[0] == "記事24" and second[-1] == "記事00"
    assert 'class="pagination"' in reader_client.get("/ja/accounts/").content.decode()


def test_deleting_an_article_deletes_its_saves(reader, article):
    SavedArticle.objects.create(user=reader, article=article)
    article.delete()
    assert not SavedArticle.objects.exists()


# The article page's query budget: anonymous readers pay nothing for the button (the
# budgets in tests/news/test_queries.py hold); a logged-in reader pays what being logged in
# costs on any page (session, user, the userbar's permission check), plus one query for the
# saved state.
SAVED_STATE_QUERIES = 1


def test_the_save_button_costs_logged_in_readers_one_query_whatever_they_saved(
    reader_client, reader, index, article
):
    logged_in_cost = queries_for(reader_client, index.url) - queries_for(Client(), index.url)
    anonymous = queries_for(Client(), article.url)
    logged_in = queries_for(reader_client, article.url)
    assert logged_in - anonymous <= logged_in_cost + SAVED_STATE_QUERIES
    for _ in range(30):
        SavedArticle.objects.create(user=reader, article=ArticlePageFactory(parent=index))
    assert queries_for(reader_client, article.url) == logged_in


def test_the_account_list_costs_the_same_for_2_or_20_saved_articles(
    reader_client, reader, index, english_tree, locales
):
    def fill(count):
        for _ in range(count - SavedArticle.objects.filter(user=reader).count()):
            page = ArticlePageFactory(parent=index)
            translate_page(page, locales["en"])
            SavedArticle.objects.create(user=reader, article=page)

    fill(2)
    two = queries_for(reader_client, "/en/accounts/")
    fill(20)
    assert queries_for(reader_client, "/en/accounts/") == two


def test_a_save_listed_through_its_translation_can_be_removed_after_unpublishing(
    reader_client, reader, article, english_article
):
    """Saved in Japanese, listed in English; the Japanese is unpublished: Remove still works."""
    SavedArticle.objects.create(user=reader, article=article)
    article.unpublish()
    html = reader_client.get("/en/accounts/").content.decode()
    assert saved_titles(html) == ["Moon landing"]

    action = re.search(r'action="(/en/accounts/saved/\d+/remove/)"', html).group(1)
    response = reader_client.post(action, {"next": "/en/accounts/"})

    assert response.status_code == 302
    assert not SavedArticle.objects.exists()


def test_an_editor_previews_an_article_that_is_not_created_yet(editor, index):
    """The save button needs the article's id; the preview of a new article has none."""
    url = reverse("wagtailadmin_pages:preview_on_add", args=["news", "articlepage", index.pk])
    form = nested_form_data(
        {
            "title": "まだ保存していない記事",
            "slug": "not-saved-yet",
            "summary": "要約。",
            "display_date": "2025-06-20 09:30",
            "article_authors": inline_formset([]),
            "corrections": inline_formset([]),
            "tags": "",
            "body": streamfield([]),
            "references": streamfield([]),
        }
    )
    assert editor.post(url, form).json()["is_valid"]

    response = editor.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "まだ保存していない記事" in html
    assert save_form(html) is None
