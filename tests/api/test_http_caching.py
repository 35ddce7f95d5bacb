"""API reads: ETag and 304, Cache-Control by who asks, Vary."""

from datetime import timedelta

import pytest
from django.core import serializers
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from wagtail.models import APIToken

from api.caching import http_caching
from changes import clock as content_clock
from changes.models import ContentChange, ContentClock
from tests.factories import ArticlePageFactory, CategoryFactory, ImageFactory, full_article


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_anonymous_reads_are_cacheable_and_revalidate_with_304(client, article, api, settings):
    settings.UKIYO_API_CACHE_LIFETIMES = {
        **settings.UKIYO_API_CACHE_LIFETIMES,
        "content": (60, 300),
    }
    url = f"/api/{api}/pages/{article.pk}/"

    first = client.get(url)
    assert first.status_code == 200
    assert cache_control(first) == {"public", "max-age=60", "s-maxage=300"}
    assert "Authorization" in first["Vary"]
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    article.title = "月面着陸に成功"
    article.save_revision().publish()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_AUTHORIZATION": "Bearer not-a-real-token"}, {"QUERY_STRING": "version=draft"}],
)
def test_reads_with_a_token_or_for_drafts_are_never_stored(client, article, headers):
    response = client.get("/api/v3/pages/", **headers)

    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/",
        "/api/v2/pages/{id}/",
        "/api/v3/pages/",
        "/api/v3/articles/",
        "/api/v3/articles/{id}/",
    ],
)
def test_a_token_holders_read_is_private_and_revalidates_with_304(client, article, admin_user, url):
    """A token may see drafts: never stored, but tagged, so that a client holding the answer
    can ask again with If-None-Match, as anonymous callers do."""
    _, plaintext = APIToken.create_token(user=admin_user, name="importer")
    token = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    url = url.format(id=article.pk)

    first = client.get(url, **token)
    assert first.status_code == 200, first.content
    assert {"private", "no-store"} <= cache_control(first)
    assert "Authorization" in first["Vary"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **token)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert {"private", "no-store"} <= cache_control(again)


def test_errors_are_not_stored(client, db):
    response = client.get("/api/v2/pages/999999/")

    assert response.status_code == 404
    assert "no-store" in cache_control(response)


def test_listings_revalidate_too(client, article):
    first = client.get("/api/v2/pages/", {"type": "news.ArticlePage"})
    again = client.get(
        "/api/v2/pages/", {"type": "news.ArticlePage"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/api/v2/pages/", "content"),
        ("/api/v3/pages/", "content"),
        ("/api/v2/categories/", "reference"),
        ("/api/v2/images/", "reference"),
        ("/api/v3/openapi.json", "schema"),
    ],
)
def test_each_kind_of_resource_has_its_own_lifetimes(client, article, settings, url, kind):
    settings.UKIYO_API_CACHE_LIFETIMES = {
        "content": (11, 12),
        "reference": (21, 22),
        "schema": (31, 32),
        "feed": (0, 0),
    }
    max_age, shared_max_age = settings.UKIYO_API_CACHE_LIFETIMES[kind]

    response = client.get(url)

    assert response.status_code == 200
    assert cache_control(response) == {"public", f"max-age={max_age}", f"s-maxage={shared_max_age}"}


def test_a_lifetime_of_zero_means_revalidate_every_time(rf, settings, db):
    settings.UKIYO_API_CACHE_LIFETIMES = {**settings.UKIYO_API_CACHE_LIFETIMES, "feed": (0, 0)}
    view = http_caching(lambda request: HttpResponse(b"{}"))

    response = view(rf.get("/api/v2/changes/"))

    assert cache_control(response) == {"public", "no-cache"}
    assert "ETag" in response


@pytest.mark.parametrize("marked", ["private", "no-store", "private, no-store"])
def test_an_answer_the_view_marked_private_stays_private(rf, marked, db):
    def view(request):
        response = HttpResponse(b"{}")
        response["Cache-Control"] = marked
        return response

    response = http_caching(view)(rf.get("/api/v3/preview/", {"token": "x"}))

    assert "public" not in cache_control(response)
    assert cache_control(response) == {part.strip() for part in marked.split(",")}


def test_reader_pages_are_left_alone(client, article, settings):
    # Reader pages get the page cache's policy (core.pagecache), never the API's.
    settings.UKIYO_API_MAX_AGE, settings.UKIYO_API_SHARED_MAX_AGE = 7, 777
    response = client.get(article.url)

    control = response.get("Cache-Control", "")
    assert "s-maxage=777" not in control and "max-age=7," not in control
    assert f"s-maxage={settings.UKIYO_PAGE_CACHE_S_MAXAGE}" in control


def set_clock(seconds_ago):
    changed_at = timezone.now() - timedelta(seconds=seconds_ago)
    ContentClock.objects.update_or_create(pk=1, defaults={"changed_at": changed_at})
    return changed_at


def clock():
    return ContentClock.objects.get().changed_at


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_last_modified_revalidates_with_304(
    client, article, api, django_capture_on_commit_callbacks
):
    changed_at = set_clock(seconds_ago=60)
    url = f"/api/{api}/pages/{article.pk}/"

    first = client.get(url)
    assert first["Last-Modified"] == http_date(changed_at.timestamp())
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    assert again.content == b""

    with django_capture_on_commit_callbacks(execute=True):  # its commit moves the clock
        article.title = "月面着陸、再び"  # a change the answer shows
        article.save_revision().publish()
    set_clock(seconds_ago=5)  # whole seconds: not in the same one as the first answer
    changed = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert changed.status_code == 200
    assert changed.json()["title"] == "月面着陸、再び"


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_a_kept_answer_keeps_its_last_modified_while_nothing_it_shows_changes(
    client, article, api, django_assert_num_queries
):
    """The clock is the whole site's: a change elsewhere moves it, and the kept answer, still
    fresh, is answered as it was built, 304 included, without a query."""
    changed_at = set_clock(seconds_ago=60)
    url = f"/api/{api}/pages/{article.pk}/"
    first = client.get(url)
    assert first["X-API-Cache"] == "miss"

    set_clock(seconds_ago=5)  # another page changed
    with django_assert_num_queries(0):
        again = client.get(url)
        revalidated = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again["X-API-Cache"] == "hit"
    assert again["Last-Modified"] == first["Last-Modified"] == http_date(changed_at.timestamp())
    assert revalidated.status_code == 304


def test_no_last_modified_within_the_second_of_a_change(client, article):
    """HTTP dates have whole seconds: a second change in the same second would look unchanged."""
    set_clock(seconds_ago=0)

    response = client.get(f"/api/v2/pages/{article.pk}/")

    assert response.status_code == 200
    assert "Last-Modified" not in response
    assert "ETag" in response


def test_a_token_holders_read_has_no_last_modified(client, article):
    set_clock(seconds_ago=60)

    response = client.get("/api/v3/pages/", HTTP_AUTHORIZATION="Bearer not-a-real-token")

    assert "Last-Modified" not in response


@pytest.fixture
def clock_moves(monkeypatch):
    """How many times the clock moved (the changes below really commit)."""
    moves = []
    move_forward = content_clock.move_forward
    monkeypatch.setattr(
        content_clock, "move_forward", lambda using: moves.append(using) or move_forward(using)
    )
    return moves


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda article: article.save_revision().publish(), id="page published"),
        pytest.param(lambda article: CategoryFactory(), id="category added"),
        pytest.param(lambda article: ImageFactory(), id="image added"),
        pytest.param(lambda article: article.delete(), id="page deleted"),
    ],
)
def test_the_clock_moves_once_after_a_content_change_commits(article, change, clock_moves):
    before = set_clock(seconds_ago=60)

    with transaction.atomic():
        change(article)
        assert clock() == before  # not before the change is visible

    assert clock() > before
    assert len(clock_moves) == 1  # however many rows the change saved


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reading_moves_nothing(client, index, clock_moves):
    article = full_article(index, lead_image=ImageFactory())
    set_clock(seconds_ago=60)
    clock_moves.clear()

    # The first read of an article makes its image renditions: not a change.
    assert client.get(f"/api/v2/pages/{article.pk}/").status_code == 200

    assert clock_moves == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_change_does_not_move_the_clock(db, clock_moves):
    before = set_clock(seconds_ago=60)

    with pytest.raises(RuntimeError), transaction.atomic():
        CategoryFactory()
        raise RuntimeError

    assert clock() == before
    assert clock_moves == []
    CategoryFactory()  # and the next change still moves it
    assert clock() > before


def test_v2_answers_do_not_vary_with_the_readers_cookie(client, article, admin_user):
    anonymous = client.get(f"/api/v2/pages/{article.pk}/")
    client.force_login(admin_user)
    logged_in = client.get(f"/api/v2/pages/{article.pk}/")

    assert logged_in.content == anonymous.content
    for response in (anonymous, logged_in):
        assert "Cookie" not in response["Vary"]
        assert "public" in cache_control(response)


def feed_ids(response):
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_the_change_feed_has_a_last_modified_that_follows_its_changes(
    client, article, api, settings
):
    settings.UKIYO_CHANGES_SETTLE_SECONDS = 60
    ContentChange.objects.update(created_at=timezone.now() - timedelta(seconds=200))
    changed_at = set_clock(seconds_ago=90)
    url = f"/api/{api}/changes/"

    first = client.get(url)
    assert first.status_code == 200
    assert cache_control(first) == {"public", "no-cache"}
    assert first["Last-Modified"] == http_date(changed_at.timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    # A change committed since moves the clock: the answer is new.
    recorded = feed_change(object_id=1)
    set_clock(seconds_ago=30)
    newer = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert newer.status_code == 200
    assert feed_ids(newer)[-1] == recorded.id
    assert newer["Last-Modified"] == http_date(clock().timestamp())


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_a_held_back_change_settling_moves_the_feeds_last_modified(client, article, api, settings):
    """A change above a hole is held back until the hole settles: the answer then changes
    with time alone, no commit, no move of the clock; Last-Modified still follows."""
    settings.UKIYO_CHANGES_SETTLE_SECONDS = 60
    ContentChange.objects.update(created_at=timezone.now() - timedelta(seconds=200))
    set_clock(seconds_ago=90)
    before, rolled_back, held = (feed_change(object_id=n) for n in (1, 2, 3))
    rolled_back.delete()
    url = f"/api/{api}/changes/?updated_since={before.id - 1}"
    ContentChange.objects.filter(pk__in=[before.pk, held.pk]).update(
        created_at=timezone.now() - timedelta(seconds=30)
    )

    first = client.get(url)
    assert feed_ids(first) == [before.id]

    ContentChange.objects.filter(pk=held.pk).update(
        created_at=timezone.now() - timedelta(seconds=62)
    )
    settled = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert settled.status_code == 200
    assert feed_ids(settled) == [before.id, held.id]
    assert parse_http_date(settled["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def feed_change(**fields):
    return ContentChange.objects.create(
        event=ContentChange.Event.PAGE_PUBLISHED,
        object_type="news.ArticlePage",
        locale="ja",
        data={"title": "T", "html_url": "http://testserver/ja/t/", "public": True},
        **fields,
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/find/?html_path=/ja/articles/moon-landing/",
        "/api/v3/pages/find/?html_path=/ja/articles/moon-landing/",
        "/api/v3/pages/find/?id={id}",
        "/api/v3/pages/find/?html_path=/ja/articles/moon-landing/&locale=ja&fallback=en",
    ],
)
def test_find_redirects_are_cached_like_the_pages_they_lead_to(
    client, article, url, settings, index
):
    settings.UKIYO_API_CACHE_LIFETIMES = {
        **settings.UKIYO_API_CACHE_LIFETIMES,
        "content": (60, 300),
    }
    changed_at = set_clock(seconds_ago=60)
    url = url.format(id=article.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert cache_control(response) == {"public", "max-age=60", "s-maxage=300"}
    assert "Authorization" in response["Vary"]
    assert response["Last-Modified"] == http_date(changed_at.timestamp())
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    # A redirect is answered whole: a conditional request applies to 2xx answers.
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again["ETag"], again["Location"]) == (
        302,
        etag,
        response["Location"],
    )

    # The tag names where the redirect leads: another page, another tag.
    other = ArticlePageFactory(parent=index, title="別の記事", slug="other")
    elsewhere = client.get(
        url.replace("moon-landing", "other").replace(str(article.pk), str(other.pk))
    )
    assert elsewhere.status_code == 302
    assert elsewhere["Location"] != response["Location"]
    assert elsewhere["ETag"] != etag


def test_a_token_holders_find_redirect_is_tagged_and_never_stored(client, article):
    response = client.get(
        "/api/v3/pages/find/?html_path=/ja/articles/moon-landing/",
        HTTP_AUTHORIZATION="Bearer nonsense",
    )

    assert response.status_code == 302
    assert cache_control(response) == {"private", "no-store"}
    assert "ETag" in response


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_loading_a_fixture_or_a_restore_does_not_move_the_clock(db, clock_moves):
    """Raw saves put back rows as they were (fixtures, a database restore): not edits."""
    data = serializers.serialize("json", [CategoryFactory()])
    clock_moves.clear()

    for row in serializers.deserialize("json", data):
        row.save()

    assert clock_moves == []
