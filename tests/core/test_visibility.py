"""Which pages anonymous readers see (core.visibility): the restricted sections come from the
cache, and every change that moves one is seen on the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from core import visibility
from news.models import ArticlePage
from tests.factories import ArticleIndexPageFactory, ArticlePageFactory

CARDS = "/api/v3/articles/?locale=ja"


@pytest.fixture
def sections(home):
    """Three sections of articles under the Japanese home, one article in each."""
    found = {}
    for name in ("left", "middle", "right"):
        section = ArticleIndexPageFactory(parent=home, title=name.title(), slug=name)
        found[name] = (section, ArticlePageFactory(parent=section, title=f"In {name}"))
    return found


def listed(client, url=CARDS):
    """The titles of the cards an anonymous caller gets from the API (its rule: every
    restriction but "public")."""
    answer = client.get(url)
    assert answer.status_code == 200, answer.content[:300]
    return {card["title"] for card in answer.json()["items"]}


def public_titles():
    """The live articles reader lists, feeds and sitemaps may show (Wagtail's rule: any
    restriction)."""
    return set(visibility.public(ArticlePage.objects.live()).values_list("title", flat=True))


def restrict(page, kind="password"):
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, password="x")


def test_without_restrictions_a_listing_asks_nothing_about_them(client, sections, settings):
    settings.UKIYO_API_KEPT_ANSWERS = False  # the listing built, not a kept answer
    assert listed(client) == {"In left", "In middle", "In right"}
    with CaptureQueriesContext(connection) as queries:
        assert listed(client) == {"In left", "In middle", "In right"}
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "news_articlepage" in sql
    assert "pageviewrestriction" not in sql


def test_a_new_restriction_hides_its_section_at_once_and_its_removal_shows_it(client, sections):
    assert listed(client) == {"In left", "In middle", "In right"}  # no section kept
    restriction = restrict(sections["middle"][0])
    assert listed(client) == {"In left", "In right"}
    assert public_titles() == {"In left", "In right"}
    restriction.delete()
    assert listed(client) == {"In left", "In middle", "In right"}
    assert public_titles() == {"In left", "In middle", "In right"}


def test_a_restricted_section_moved_elsewhere_stays_hidden(client, sections, home):
    left, _ = sections["left"]
    middle, _ = sections["middle"]
    restrict(left)
    assert listed(client) == {"In middle", "In right"}
    left.move(middle, pos="last-child")  # its tree path changes
    assert listed(client) == {"In middle", "In right"}
    assert public_titles() == {"In middle", "In right"}


def test_a_restricted_section_whose_path_shifts_when_a_page_moves_before_it_stays_hidden(
    client, sections
):
    # Moving a page to the left of a sibling gives the sibling, and everything under it, a
    # new tree path: the restricted section is not the page that moved.
    middle, _ = sections["middle"]
    right, _ = sections["right"]
    restrict(middle)
    assert listed(client) == {"In left", "In right"}
    path = middle.path
    right.move(middle, pos="left")
    middle.refresh_from_db()
    assert middle.path != path
    assert listed(client) == {"In left", "In right"}
    assert public_titles() == {"In left", "In right"}


def test_a_deleted_restricted_section_leaves_no_hole_for_the_page_that_takes_its_path(
    client, sections, home
):
    left, _ = sections["left"]
    restrict(left)
    assert listed(client) == {"In middle", "In right"}
    left.delete()
    assert not PageViewRestriction.objects.exists()
    assert visibility.restricted_sections() == ()
    assert listed(client) == {"In middle", "In right"}


def test_a_public_restriction_hides_pages_from_readers_lists_not_from_the_api(client, sections):
    # Wagtail's PageQuerySet.public() counts every restriction; the API lets in whoever the
    # restriction would let in without a login, which "public" does.
    restrict(sections["left"][0], kind=PageViewRestriction.NONE)
    assert public_titles() == {"In middle", "In right"}
    assert listed(client) == {"In left", "In middle", "In right"}


def test_many_restricted_sections_are_found_with_a_subquery(
    client, sections, monkeypatch, settings
):
    settings.UKIYO_API_KEPT_ANSWERS = False
    monkeypatch.setattr(visibility, "MAX_PREFIXES", 1)
    restrict(sections["left"][0])
    restrict(sections["right"][0])
    with CaptureQueriesContext(connection) as queries:
        assert listed(client) == {"In middle"}
    assert any("pageviewrestriction" in query["sql"] for query in queries.captured_queries)
    assert public_titles() == {"In middle"}


def test_a_restriction_inside_a_restricted_section_adds_no_condition(sections):
    left, article = sections["left"]
    restrict(left)
    restrict(article)
    assert [path for path, _ in visibility.restricted_sections()] == [left.path, article.path]
    # The article is in the section: one condition covers both.
    assert str(visibility.outside_restrictions()).count("path__startswith") == 1
    assert left.path in str(visibility.outside_restrictions())
