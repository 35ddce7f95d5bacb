"""A reader, Varnish, ukiyo: pages stored, a published change reaching the next reader through
the purge, a logged-in reader's page never stored.

Pages are made with the factories (one article in Japanese, with a Japanese slug, and its
English translation) and committed; the default site points at Varnish (``conftest``).
Changes are published through Wagtail's API in the test process, which purges Varnish as
production would (``FRONTEND_CACHE_PURGE_URL``); reader pages carry the page cache's
Cache-Control (``core.pagecache``), which Varnish follows.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri

from home.models import HomePage
from news.models import ArticlePage
from tests.conftest import translate_page
from tests.factories import ArticleIndexPageFactory, ArticlePageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@dataclass
class Newsroom:
    home: HomePage
    english_home: HomePage
    article: ArticlePage
    english: ArticlePage


@pytest.fixture
def newsroom(site_behind_varnish, home, locales):
    index = ArticleIndexPageFactory(parent=home)
    article = ArticlePageFactory(parent=index, title="月面に着陸", slug="月面着陸")
    english_home = translate_page(home, locales["en"], title="Home")
    translate_page(index, locales["en"], title="All Articles")
    english = translate_page(article, locales["en"], title="Landed on the Moon", slug="moon")
    # As saved: publishing a new slug moved the translation's URL.
    return Newsroom(
        home=home,
        english_home=english_home.specific_class.objects.get(pk=english_home.pk),
        article=ArticlePage.objects.get(pk=article.pk),
        english=ArticlePage.objects.get(pk=english.pk),
    )


def publish(page, **changes):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()


def test_a_reader_page_is_stored_and_a_published_change_reaches_the_next_reader(
    varnish, newsroom, purging
):
    japanese, english = newsroom.article.url, newsroom.english.url
    for page in (newsroom.article, newsroom.english):
        first = varnish.get(page.url)
        assert (first.status, first.cache) == (200, "MISS")
        assert f">{page.title}</h1>" in first.text
        second = varnish.get(page.url)
        assert (second.status, second.cache) == (200, "HIT")
        assert "public" in second.cache_control

    publish(newsroom.article, title="月面着陸に成功")
    answer = varnish.get(japanese)
    assert answer.cache == "MISS"
    assert ">月面着陸に成功</h1>" in answer.text
    assert "月面に着陸" not in answer.text
    assert varnish.get(japanese).cache == "HIT"

    # A new slug: the old URL now redirects, for the next reader too.
    publish(newsroom.article, slug="月面着陸成功")
    moved = varnish.get(japanese)
    assert moved.status == 301
    assert moved.headers["Location"].endswith(iri_to_uri("/ja/articles/月面着陸成功/"))

    publish(newsroom.english, title="A landing on the Moon")
    answer = varnish.get(english)
    assert answer.cache == "MISS"
    assert ">A landing on the Moon</h1>" in answer.text

    # Unpublished: gone for the next reader too.
    ArticlePage.objects.get(pk=newsroom.english.pk).unpublish()
    assert varnish.get(english).status == 404


def test_a_new_article_reaches_home_and_all_articles_of_its_language(varnish, newsroom, purging):
    lists = [newsroom.home.url, newsroom.article.get_parent().url]
    for url in lists:
        varnish.get(url)
        assert varnish.get(url).cache == "HIT"

    new = ArticlePageFactory(parent=newsroom.article.get_parent(), title="速報：地震", slug="地震")
    new.save_revision().publish()

    for url in lists[:2]:
        assert "速報：地震" in varnish.get(url).text, url


def test_a_logged_in_readers_page_is_never_stored(varnish, newsroom, django_user_model):
    reader = django_user_model.objects.create_user(
        username="reader", email="reader@example.com", password="x" * 12
    )
    browser = Client()
    browser.force_login(reader)
    session = {settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value}
    url = newsroom.english.url
    with translation.override("en"):
        account = f'href="{reverse("reader_account")}"'

    # Signed in first, when nothing is stored yet.
    mine = varnish.get(url, cookies=session)
    assert (mine.status, mine.cache) == (200, "PASS")
    assert "private" in mine.cache_control
    assert 'class="logout-form"' in mine.text

    anonymous = varnish.get(url)
    assert anonymous.cache == "MISS"
    assert 'class="logout-form"' not in anonymous.text
    assert account not in anonymous.text
    assert varnish.get(url).cache == "HIT"

    # Signed in again, with an anonymous copy stored: still the reader's own page.
    mine = varnish.get(url, cookies=session)
    assert mine.cache == "PASS"
    assert 'class="logout-form"' in mine.text
