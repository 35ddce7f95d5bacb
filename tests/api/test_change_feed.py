"""The change feed (``/api/v2/changes/``, ``/api/v3/changes/``): what a syncing frontend sees.

Each test changes content the way editors, the scheduler and wagtail-localize do, then reads
the feed as an anonymous client.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, rich_text

from changes.models import ContentChange, Purge
from home.models import StandardPage
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, AuthorFactory, CategoryFactory

APIS = ["v2", "v3"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def no_settle_delay(settings):
    """On PostgreSQL the ids of earlier tests' rolled-back rows leave holes a feed cannot
    tell from changes still committing: it would rightly wait for them to settle. The tests
    of that rule set the delay themselves."""
    settings.UKIYO_CHANGES_SETTLE_SECONDS = 0


def get_feed(client, api="v2", status=200, **params):
    response = client.get(f"/api/{api}/changes/", params)
    assert response.status_code == status, response.content
    return response.json()


def read_all(client, api="v2", **params):
    """Every item, following next_cursor until has_more is false, and the last cursor."""
    items = []
    while True:
        page = get_feed(client, api, **params)
        items += page["items"]
        params["updated_since"] = page["next_cursor"]
        if not page["has_more"]:
            return items, page["next_cursor"]


def events(items):
    return [(item["event"], item["object_id"]) for item in items]


def publish(page, **changes):
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def article(index):
    """A live article created without publishing (no change recorded), then published once."""
    page = ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")
    return publish(page)


def start(client, api="v2"):
    """The cursor a client holds after syncing everything recorded so far."""
    return read_all(client, api)[1]


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
def test_a_publish_is_one_change_with_title_urls_and_language(client, index, api):
    page = ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")
    cursor = start(client, api)

    publish(page)

    feed = get_feed(client, api, updated_since=cursor)
    assert feed["has_more"] is False
    [item] = feed["items"]
    assert item == {
        "id": item["id"],
        "cursor": str(item["id"]),
        "event": "page.published",
        "time": item["time"],
        "type": "news.ArticlePage",
        "object_id": page.pk,
        "translation_key": str(page.translation_key),
        "locale": "ja",
        "title": "月面着陸",
        "html_url": "http://testserver/ja/articles/moon-landing/",
        "previous_html_url": None,
        "api_v2_url": f"http://testserver/api/v2/pages/{page.pk}/",
        "api_v3_url": f"http://testserver/api/v3/pages/{page.pk}/",
        "reason": None,
        "moved_with": None,
    }
    assert feed["next_cursor"] == item["cursor"]
    # Both APIs write the time alike (ISO 8601, UTC, to the millisecond).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", item["time"])
    # Nothing after it: the same cursor comes back.
    assert get_feed(client, api, updated_since=feed["next_cursor"]) == {
        "items": [],
        "next_cursor": feed["next_cursor"],
        "has_more": False,
    }


def test_every_publish_is_a_change_and_draft_saves_are_none(client, article):
    cursor = start(client)

    publish(article, title="月面着陸 (訂正)")
    article.title = "下書き"
    article.save_revision()  # a draft of a live page
    draft = ArticlePageFactory(parent=article.get_parent(), live=False, slug="draft")
    draft.title = "Draft"
    draft.slug = "draft-renamed"  # a draft's slug changes its URL, which no reader has seen
    draft.save_revision()
    draft.save()

    items = get_feed(client, updated_since=cursor)["items"]
    assert [(item["event"], item["title"]) for item in items] == [
        ("page.published", "月面着陸 (訂正)")
    ]


def test_unpublishing_gives_the_url_it_had_and_no_api_url(client, article):
    cursor = start(client)

    article.unpublish()

    [item] = get_feed(client, updated_since=cursor)["items"]
    assert item["event"] == "page.unpublished"
    assert item["object_id"] == article.pk
    assert item["html_url"] == "http://testserver/ja/articles/moon-landing/"
    assert item["api_v2_url"] is None and item["api_v3_url"] is None


def test_deleting_a_section_records_each_live_page_once(client, index, article):
    second = publish(ArticlePageFactory(parent=index, slug="second"))
    ArticlePageFactory(parent=index, slug="never-published", live=False)
    cursor = start(client)

    index.delete()

    items = get_feed(client, updated_since=cursor)["items"]
    assert sorted(events(items)) == sorted(
        [("page.deleted", index.pk), ("page.deleted", article.pk), ("page.deleted", second.pk)]
    )
    urls = {item["object_id"]: item["html_url"] for item in items}
    assert urls[article.pk] == "http://testserver/ja/articles/moon-landing/"
    assert urls[index.pk] == "http://testserver/ja/articles/"
    assert all(item["api_v2_url"] is None for item in items)
    assert {item["type"] for item in items} == {"news.ArticlePage", "news.ArticleIndexPage"}


def test_deleting_a_draft_records_nothing(client, index):
    draft = ArticlePageFactory(parent=index, live=False)
    cursor = start(client)

    draft.delete()

    assert get_feed(client, updated_since=cursor)["items"] == []


def test_a_move_gives_each_live_page_its_old_and_new_url(client, home, index, article):
    section = home.add_child(instance=StandardPage(title="Archive", slug="archive", summary="-"))
    cursor = start(client)

    index.refresh_from_db()
    index.move(section, pos="last-child")

    items = get_feed(client, updated_since=cursor)["items"]
    moves = {item["object_id"]: item for item in items}
    assert [item["event"] for item in items] == ["page.moved", "page.moved"]
    assert moves[index.pk]["previous_html_url"] == "http://testserver/ja/articles/"
    assert moves[index.pk]["html_url"] == "http://testserver/ja/archive/articles/"
    assert moves[index.pk]["moved_with"] is None
    assert moves[article.pk]["previous_html_url"] == "http://testserver/ja/articles/moon-landing/"
    assert moves[article.pk]["html_url"] == "http://testserver/ja/archive/articles/moon-landing/"
    assert moves[article.pk]["moved_with"] == index.pk
    assert moves[article.pk]["api_v2_url"] == f"http://testserver/api/v2/pages/{article.pk}/"
    # The feed's URLs are the real ones.
    assert client.get("/ja/archive/articles/moon-landing/").status_code == 200


def test_a_slug_change_moves_the_page_and_its_descendants(client, index, article):
    cursor = start(client)

    publish(index, slug="all")

    items = get_feed(client, updated_since=cursor)["items"]
    assert [(item["event"], item["object_id"]) for item in items] == [
        ("page.moved", index.pk),
        ("page.moved", article.pk),
        ("page.published", index.pk),
    ]
    assert items[1]["previous_html_url"] == "http://testserver/ja/articles/moon-landing/"
    assert items[1]["html_url"] == "http://testserver/ja/all/moon-landing/"


def test_reordering_siblings_changes_no_url_and_records_nothing(client, index, article):
    other = publish(ArticlePageFactory(parent=index, slug="other"))
    cursor = start(client)

    other.move(article, pos="left")

    assert get_feed(client, updated_since=cursor)["items"] == []


def test_scheduled_publishing_and_expiry_are_changes(client, index, article):
    scheduled = ArticlePageFactory(parent=index, live=False, slug="scheduled")
    scheduled.go_live_at = timezone.now() + timedelta(hours=1)
    revision = scheduled.save_revision()
    revision.publish()  # approved for later: not live yet
    article.expire_at = timezone.now() - timedelta(minutes=1)
    article.save()
    cursor = start(client)
    assert get_feed(client, updated_since=cursor)["items"] == []

    revision.refresh_from_db()
    revision.approved_go_live_at = timezone.now() - timedelta(minutes=1)
    revision.save()
    call_command("publish_scheduled")

    items = get_feed(client, updated_since=cursor)["items"]
    assert sorted(events(items)) == sorted(
        [("page.unpublished", article.pk), ("page.published", scheduled.pk)]
    )


def test_translations_carry_their_language_and_the_locale_filter_picks_them(
    client, english_tree, article, locales
):
    cursor = start(client)

    english = translate_page(article, locales["en"], title="Moon landing", slug="moon-landing")
    publish(article, title="月面着陸 (訂正)")

    items = get_feed(client, updated_since=cursor)["items"]
    assert [(item["locale"], item["title"]) for item in items] == [
        ("en", "Moon landing"),
        ("ja", "月面着陸 (訂正)"),
    ]
    assert items[0]["translation_key"] == items[1]["translation_key"]
    assert items[0]["html_url"] == "http://testserver/en/articles/moon-landing/"
    english_only = get_feed(client, updated_since=cursor, locale="en")["items"]
    assert [item["object_id"] for item in english_only] == [english.pk]
    both = get_feed(client, updated_since=cursor, locale="fr,ja")["items"]
    assert [item["object_id"] for item in both] == [article.pk]
    repeated = get_feed(client, "v3", updated_since=cursor, locale=["en", "ja"])["items"]
    assert len(repeated) == 2


def test_publishing_restricting_and_deleting_in_the_admin(client, editor, index, article):
    cursor = start(client)
    form = nested_form_data(
        {
            "title": "Every article",
            "slug": "articles",
            "intro": rich_text("<p>All of them.</p>"),
            "action-publish": "publish",
        }
    )

    edited = editor.post(reverse("wagtailadmin_pages:edit", args=[index.pk]), form)
    privacy = editor.post(
        reverse("wagtailadmin_pages:set_privacy", args=[article.pk]),
        {"restriction_type": "login", "password": "", "groups": []},
    )
    deleted = editor.post(reverse("wagtailadmin_pages:delete", args=[index.pk]))

    assert (edited.status_code, privacy.status_code, deleted.status_code) == (302, 200, 302)
    items = get_feed(client, updated_since=cursor)["items"]
    assert [(i["event"], i["object_id"], i["reason"]) for i in items] == [
        ("page.published", index.pk, None),
        ("page.unpublished", article.pk, "restricted"),
        ("page.deleted", index.pk, None),
    ]
    assert items[0]["title"] == "Every article"
    # The private article's deletion is not news to anonymous readers: only the index's.


def test_a_rolled_back_publish_records_nothing(client, article):
    cursor = start(client)

    with pytest.raises(RuntimeError), transaction.atomic():
        publish(article, title="Never")
        raise RuntimeError

    assert get_feed(client, updated_since=cursor)["items"] == []


# ---------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------


def test_restricting_a_page_is_an_unpublish_and_lifting_it_a_publish(client, index, article):
    cursor = start(client)

    restriction = PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.LOGIN
    )
    publish(article, title="Members only scoop")
    article.unpublish()
    after_private = get_feed(client, updated_since=cursor)
    restriction.delete()

    assert [
        (item["event"], item["object_id"], item["reason"]) for item in after_private["items"]
    ] == [
        ("page.unpublished", index.pk, "restricted"),
        ("page.unpublished", article.pk, "restricted"),
    ]
    # The private page's publish is not in the public feed, not even its title.
    assert b"Members only" not in client.get(f"/api/v2/changes/?updated_since={cursor}").content
    lifted = get_feed(client, updated_since=after_private["next_cursor"])["items"]
    assert [(item["event"], item["object_id"], item["reason"]) for item in lifted] == [
        ("page.published", index.pk, "unrestricted"),
    ]
    # The change is recorded all the same (webhooks read every row).
    assert ContentChange.objects.filter(data__title="Members only scoop").exists()


def test_a_page_already_private_changes_nothing_in_the_public_feed(client, index, article):
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    cursor = start(client)

    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    publish(article, title="Secret")
    article.delete()
    index.delete()

    assert get_feed(client, updated_since=cursor)["items"] == []


def test_moving_into_a_private_section_is_an_unpublish(client, home, index, article):
    section = home.add_child(instance=StandardPage(title="Members", slug="members", summary="-"))
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    cursor = start(client)

    article.move(section, pos="last-child")

    [item] = get_feed(client, updated_since=cursor)["items"]
    assert (item["event"], item["reason"]) == ("page.unpublished", "restricted")
    # The URL it had, as for any unpublish; the private section's is not told.
    assert item["html_url"] == "http://testserver/ja/articles/moon-landing/"
    assert item["previous_html_url"] is None
    assert b"members" not in client.get(f"/api/v2/changes/?updated_since={cursor}").content


def test_moving_out_of_a_private_section_is_a_publish(client, home, index, article):
    section = home.add_child(instance=StandardPage(title="Members", slug="members", summary="-"))
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    article.move(section, pos="last-child")
    cursor = start(client)

    Page.objects.get(pk=article.pk).move(Page.objects.get(pk=index.pk), pos="last-child")

    [item] = get_feed(client, updated_since=cursor)["items"]
    assert (item["event"], item["reason"]) == ("page.published", "unrestricted")
    assert item["html_url"] == "http://testserver/ja/articles/moon-landing/"
    assert item["previous_html_url"] is None


# ---------------------------------------------------------------------------
# Snippets
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
def test_snippet_saves_and_deletions(client, locales, api):
    cursor = start(client, api)

    category = CategoryFactory(name="宇宙", slug="space", locale=locales["ja"])
    category.name = "宇宙開発"
    category.save()
    author = AuthorFactory(name="Aoi", locale=locales["en"])
    category_id = category.pk
    category.delete()

    items = get_feed(client, api, updated_since=cursor)["items"]
    assert [(i["event"], i["type"], i["object_id"], i["title"]) for i in items] == [
        ("snippet.saved", "news.Category", category_id, "宇宙"),
        ("snippet.saved", "news.Category", category_id, "宇宙開発"),
        ("snippet.saved", "news.Author", author.pk, "Aoi"),
        ("snippet.deleted", "news.Category", category_id, "宇宙開発"),
    ]
    assert items[0]["api_v2_url"] == f"http://testserver/api/v2/categories/{category_id}/"
    assert items[0]["api_v3_url"] == f"http://testserver/api/v3/categories/{category_id}/"
    assert items[2]["locale"] == "en"
    assert items[2]["translation_key"] == str(author.translation_key)
    assert items[3]["api_v2_url"] is None and items[3]["html_url"] is None


def test_type_and_event_filters(client, article, locales):
    cursor = start(client)
    CategoryFactory(locale=locales["ja"])
    publish(article)
    article.unpublish()

    by_type = get_feed(client, updated_since=cursor, type="news.category")["items"]
    assert [item["type"] for item in by_type] == ["news.Category"]
    by_event = get_feed(client, "v3", updated_since=cursor, event="page.unpublished,snippet.saved")[
        "items"
    ]
    assert [item["event"] for item in by_event] == ["snippet.saved", "page.unpublished"]


# ---------------------------------------------------------------------------
# Incremental sync
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
def test_incremental_sync_misses_nothing_and_repeats_nothing(client, index, api):
    pages = [ArticlePageFactory(parent=index, slug=f"a{n}") for n in range(5)]
    cursor = start(client, api)
    for page in pages:
        publish(page)

    first = get_feed(client, api, updated_since=cursor, limit=2)
    second = get_feed(client, api, updated_since=first["next_cursor"], limit=2)
    assert first["has_more"] and second["has_more"]
    # New changes arrive while the client is still reading.
    publish(pages[0], title="Corrected")
    pages[1].unpublish()
    rest, last_cursor = read_all(client, api, updated_since=second["next_cursor"], limit=2)

    seen = [item["id"] for item in first["items"] + second["items"] + rest]
    expected = list(
        ContentChange.objects.filter(id__gt=int(cursor)).order_by("id").values_list("id", flat=True)
    )
    assert seen == expected
    assert len(seen) == 7
    assert last_cursor == str(expected[-1])
    assert get_feed(client, api, updated_since=last_cursor)["items"] == []


def test_without_a_cursor_the_feed_starts_at_the_oldest_change_kept(client, article):
    items = get_feed(client)["items"]
    assert items[0]["id"] == ContentChange.objects.order_by("id").first().id
    assert ("page.published", article.pk) in events(items)


@pytest.mark.parametrize("api", APIS)
def test_a_date_time_starts_the_feed_at_that_time(client, index, api):
    old, new = (ArticlePageFactory(parent=index, slug=slug) for slug in ("old", "new"))
    publish(old)
    ContentChange.objects.update(created_at=timezone.now() - timedelta(days=3))
    publish(new)
    since = (timezone.now() - timedelta(days=1)).astimezone(timezone.get_fixed_timezone(540))

    # A "+09:00" offset sent without percent-encoding arrives as " 09:00": still understood.
    for value in (since.isoformat(), since.isoformat().replace("+", " ")):
        items = get_feed(client, api, updated_since=value)["items"]
        assert events(items) == [("page.published", new.pk)]
    day = (timezone.now() - timedelta(days=2)).date().isoformat()
    assert events(get_feed(client, api, updated_since=day)["items"]) == [("page.published", new.pk)]
    # Nothing since: an empty page whose cursor follows the newest change.
    later = get_feed(client, api, updated_since=timezone.now().isoformat())
    assert later["items"] == []
    assert later["next_cursor"] == str(ContentChange.objects.order_by("id").last().id)


def change(**fields):
    defaults = {
        "event": ContentChange.Event.PAGE_PUBLISHED,
        "object_type": "news.ArticlePage",
        "object_id": 1,
        "locale": "ja",
        "data": {"title": "T", "html_url": "http://testserver/ja/t/", "public": True},
    }
    return ContentChange.objects.create(**{**defaults, **fields})


def test_a_hole_left_by_a_change_still_committing_stops_the_feed_before_it(client, db, settings):
    """PostgreSQL hands out ids before commit: 11 can be visible while 10 is not yet.

    The hole is made here by deleting a row; putting it back is its late commit.
    """
    settings.UKIYO_CHANGES_SETTLE_SECONDS = 60
    before, late, after = change(object_id=1), change(object_id=2), change(object_id=3)
    late_fields = {f.attname: getattr(late, f.attname) for f in ContentChange._meta.fields}
    late.delete()
    cursor = str(before.id - 1)

    feed = get_feed(client, updated_since=cursor)
    assert [item["object_id"] for item in feed["items"]] == [1]
    assert feed == {**feed, "next_cursor": str(before.id), "has_more": False}

    ContentChange.objects.create(**late_fields)  # the late transaction commits
    feed = get_feed(client, updated_since=feed["next_cursor"])
    assert [item["object_id"] for item in feed["items"]] == [2, 3]
    assert feed["next_cursor"] == str(after.id)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_after_a_newer_one_is_not_skipped(client, settings):
    """The real race, on PostgreSQL: a transaction takes an id, another takes the next one
    and commits first, a client reads in between."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time; the suite also runs on PostgreSQL")
    settings.UKIYO_CHANGES_SETTLE_SECONDS = 60
    cursor = str(change(object_id=0).id)
    recorded, commit = threading.Event(), threading.Event()

    def slow_transaction():
        try:
            with transaction.atomic():
                change(object_id=1)
                recorded.set()
                commit.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_transaction)
    thread.start()
    try:
        assert recorded.wait(10)
        change(object_id=2)  # a bigger id, committed first
        feed = get_feed(client, updated_since=cursor)
        assert feed == {"items": [], "next_cursor": cursor, "has_more": False}
    finally:
        commit.set()
        thread.join()

    feed = get_feed(client, updated_since=feed["next_cursor"])
    assert [item["object_id"] for item in feed["items"]] == [1, 2]


def test_an_old_hole_is_a_rolled_back_change_and_is_passed(client, db, settings):
    settings.UKIYO_CHANGES_SETTLE_SECONDS = 60
    before, rolled_back, after = change(object_id=1), change(object_id=2), change(object_id=3)
    rolled_back.delete()
    ContentChange.objects.filter(pk=after.pk).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )

    feed = get_feed(client, updated_since=str(before.id - 1))
    assert [item["object_id"] for item in feed["items"]] == [1, 3]


# ---------------------------------------------------------------------------
# Errors and retention
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2025-13-45T00:00:00Z"}, "updated_since"),
        ({"updated_since": "-5"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+14:00"}, "updated_since"),
        ({"updated_since": "999999999"}, "updated_since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"locale": "xx"}, "locale"),
        ({"event": "page.created"}, "event"),
        ({"type": "news.Nope"}, "type"),
        ({"since": "1"}, "since"),
    ],
)
@pytest.mark.parametrize("api", APIS)
def test_bad_parameters_answer_400_naming_them(client, article, api, params, named):
    response = client.get(f"/api/{api}/changes/", params)

    assert response.status_code == 400
    body = response.json()
    message = body["message"] if api == "v2" else str(body)
    assert named in message
    if api == "v3":
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("api", APIS)
def test_the_feed_is_read_only(client, api, db):
    response = client.post(f"/api/{api}/changes/", {})
    assert response.status_code == 405
    assert not ContentChange.objects.exists()


def test_purge_keeps_recent_changes_and_old_cursors_answer_410(client, index, settings):
    old_page, new_page = (ArticlePageFactory(parent=index, slug=s) for s in ("old", "new"))
    publish(old_page)
    publish(old_page)
    old_cursor = start(client)
    ContentChange.objects.update(created_at=timezone.now() - timedelta(days=100))
    publish(new_page)
    kept = ContentChange.objects.get(object_id=new_page.pk)

    call_command("purge_content_changes", "--days", "90")

    assert list(ContentChange.objects.values_list("id", flat=True)) == [kept.id]
    assert Purge.objects.get().through_id == int(old_cursor)
    # The client that had read everything before the purge missed nothing.
    assert events(get_feed(client, updated_since=old_cursor)["items"]) == [
        ("page.published", new_page.pk)
    ]
    for api in APIS:
        gone = client.get(f"/api/{api}/changes/", {"updated_since": int(old_cursor) - 1})
        assert gone.status_code == 410
        assert "fetch everything again" in gone.content.decode()
        long_ago = (timezone.now() - timedelta(days=120)).isoformat()
        assert client.get(f"/api/{api}/changes/", {"updated_since": long_ago}).status_code == 410
        # Without a cursor: everything kept.
        assert events(get_feed(client, api)["items"]) == [("page.published", new_page.pk)]


def test_purge_with_nothing_old_deletes_nothing(client, article):
    call_command("purge_content_changes")
    assert ContentChange.objects.exists()
    assert not Purge.objects.exists()


# ---------------------------------------------------------------------------
# Contract and cost
# ---------------------------------------------------------------------------


def test_the_v3_feed_is_typed_in_the_openapi_document(client, db):
    document = client.get("/api/v3/openapi.json").json()
    operation = document["paths"]["/api/v3/changes/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"updated_since", "limit", "locale"}
    assert set(operation["responses"]) >= {"200", "400", "410"}
    change = document["components"]["schemas"]["ChangeFeedItem"]
    assert change["properties"]["event"]["enum"] == list(ContentChange.Event.values)


def test_the_feed_is_readable_without_a_token_and_never_cached_stale(client, article):
    response = client.get("/api/v2/changes/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("api", APIS)
def test_a_feed_page_costs_the_same_for_5_or_50_changes(client, api, locales):
    def cost(count):
        ContentChange.objects.all().delete()
        for n in range(count):
            change(object_id=n + 1, locale="en" if n % 2 else "ja")
        for n in range(count):
            change(
                event=ContentChange.Event.SNIPPET_SAVED, object_type="news.Category", object_id=n
            )
        client.get(f"/api/{api}/changes/")  # warm caches (site root paths)
        with CaptureQueriesContext(connection) as queries:
            feed = get_feed(client, api, limit=500, locale="ja,en")
        assert len(feed["items"]) == 2 * count
        return len(queries)

    assert cost(5) == cost(50)
    assert cost(5) <= 8


def test_deleting_a_large_section_reads_its_pages_in_a_fixed_number_of_queries(index):
    def cost(count):
        section = publish(ArticlePageFactory(parent=index, slug=f"s{count}"))
        for n in range(count):
            section.add_child(instance=ArticlePageFactory.build(slug=f"c{n}"))
        section = Page.objects.get(pk=section.pk)
        with CaptureQueriesContext(connection) as queries:
            section.delete()
        recorded = ContentChange.objects.filter(event="page.deleted").count()
        ContentChange.objects.all().delete()
        assert recorded == count + 1
        # Django's own cascade reads restrictions by page id; the feed's read by path.
        return len([q for q in queries if '"page__path"' in q["sql"]])

    # The privacy of every deleted page is read once, not once per page.
    assert cost(2) == cost(6) == 1
