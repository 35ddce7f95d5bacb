"""seed_archive: an archive written in bulk is a valid one, for readers, the API and the admin."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from changes.models import ContentChange
from news.models import ArticleIndexPage, ArticlePage

pytestmark = pytest.mark.django_db


def seeded():
    return ArticlePage.objects.filter(slug__startswith="archive-").select_related("locale")


@pytest.fixture
def archive(index):
    """30 seeded article pages on a site that has only the Japanese All Articles page."""
    call_command("seed_archive", articles=30, seed=12, stdout=StringIO())
    return seeded()


def test_the_tree_is_valid_and_every_list_counts_its_articles(archive):
    assert archive.count() == 30
    assert Page.find_problems() == ([], [], [], [], [])
    # The lists in the other languages were made as translations of the Japanese one.
    lists = ArticleIndexPage.objects.all()
    assert lists.count() == 9
    for page in lists:
        assert page.numchild == page.get_children().count()
    for article in archive:
        assert article.url_path == f"{article.get_parent().url_path}{article.slug}/"
        assert article.get_parent().specific.locale_id == article.locale_id


def test_translations_are_linked_and_each_is_read_in_its_language(client, archive):
    story = max(archive, key=lambda page: page.get_translations().count())
    translations = list(story.get_translations(inclusive=True).specific())
    assert len(translations) > 1
    assert len({page.locale_id for page in translations}) == len(translations)
    for page in translations:
        response = client.get(page.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{page.locale.language_code}"' in html
        assert page.title in html.replace("&#x27;", "'")
        # The language menu links the other translations.
        for other in translations:
            if other.pk != page.pk:
                assert f'href="{other.url}"' in html


def test_bodies_are_valid_and_cite_their_own_references(client, archive):
    for page in archive.specific():
        page.full_clean()  # the blocks validate; the body cites no missing reference
        assert len(page.body) >= 2
        cited = list(page.cited_numbers())
        assert cited and max(cited) <= len(page.references)
    page = archive.filter(locale__language_code="ja").first()
    data = client.get(f"/api/v3/pages/{page.pk}/").json()
    numbers = [section["value"]["number"] for section in data["body"]]
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_lists_show_the_seeded_articles_newest_first(client, archive):
    newest = archive.filter(locale__language_code="ja").order_by("-display_date").first()
    html = client.get("/ja/articles/").content.decode()
    first_card = html[html.index('class="card-grid"') :]
    assert newest.title in first_card[: first_card.index("</li>")].replace("&#x27;", "'")
    cards = client.get("/api/v3/articles/?locale=ja&limit=1").json()
    assert cards["items"][0]["id"] == newest.pk


def test_search_finds_a_seeded_article_as_the_backend_indexed_it(client, archive):
    page = archive.filter(locale__language_code="en").first()
    word = max(re.findall(r"[A-Za-z]{5,}", page.title), key=len)
    html = client.get("/en/search/", {"q": word}).content.decode()
    assert page.url in html
    # The entry written in bulk is the one Wagtail's own indexing writes (which indexes
    # choice labels in the active language: the page's, here).
    entry = IndexEntry.objects.filter(object_id=str(page.pk))
    bulk = list(entry.values("title", "autocomplete", "body"))
    with translation.override("en"):
        get_search_backend().add(page)
    assert list(entry.values("title", "autocomplete", "body")) == bulk


def test_each_page_is_in_the_change_feed_once(client, archive):
    changes = ContentChange.objects.filter(object_id__in=[page.pk for page in archive])
    assert changes.count() == 30
    assert set(changes.values_list("event", flat=True)) == {"page.published"}
    page = archive.first()
    change = changes.get(object_id=page.pk)
    assert change.data["html_url"] == page.get_full_url()
    assert change.data["public"] is True
    feed = client.get("/api/v2/changes/?limit=100").json()
    assert page.pk in {item["object_id"] for item in feed["items"]}


def test_the_admin_opens_on_seeded_pages(editor, archive):
    page = archive.filter(locale__language_code="ja").first()
    for url in [
        reverse("wagtailadmin_explore", args=[page.get_parent().pk]),
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:history", args=[page.pk]),
        reverse("translations:dashboard"),
        reverse("translations:dashboard") + "?state=missing",
    ]:
        response = editor.get(url)
        assert response.status_code == 200, url
    html = editor.get(reverse("translations:dashboard")).content.decode()
    assert page.title in html.replace("&#x27;", "'")


def test_seeding_again_adds_and_clear_removes_only_seeded_pages(archive, index):
    demo_pages = Page.objects.exclude(slug__startswith="archive-").count()
    call_command("seed_archive", articles=10, stdout=StringIO())
    assert seeded().count() == 40
    assert Page.find_problems() == ([], [], [], [], [])
    call_command("seed_archive", articles=0, clear=True, stdout=StringIO())
    assert seeded().count() == 0
    assert Page.objects.count() == demo_pages
    assert Page.find_problems() == ([], [], [], [], [])
    index.refresh_from_db()
    assert index.numchild == 0


def test_a_list_kept_in_the_page_cache_shows_the_seeded_articles_next(client, index):
    """Bulk inserts send no signal: the command makes every kept page stale itself."""
    # A first archive brings the translations of categories and authors (saved one by one);
    # the second adds article pages only, in bulk.
    call_command("seed_archive", articles=10, seed=2, stdout=StringIO())
    assert client.get("/ja/articles/").status_code == 200
    assert client.get("/ja/articles/")["X-Page-Cache"] == "hit"
    call_command("seed_archive", articles=10, seed=3, stdout=StringIO())
    newest = seeded().filter(locale__language_code="ja").order_by("-display_date").first()
    response = client.get("/ja/articles/")
    assert response["X-Page-Cache"] == "miss"
    assert newest.title in response.content.decode().replace("&#x27;", "'")
