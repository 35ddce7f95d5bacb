"""The editorial calendar: articles by day, in the user's time zone, within their rights."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.branches import branch_editor

from .conftest import article, at

CALENDAR = reverse("newsroom_calendar")
MARCH = {"year": 2031, "month": 3}


def days(response):
    """{date: [(state, language, title), ...]} of the days shown."""
    html = response.content.decode()
    shown = {}
    for block in re.split(r'(?=<li class="calendar-day)', html)[1:]:
        day = re.search(r'data-date="([0-9-]+)"', block).group(1)
        shown[day] = [
            (state, language, title.strip())
            for state, language, title in re.findall(
                r'data-state="(\w+)" data-language="([\w-]+)">.*?'
                r'<span class="calendar-title"[^>]*>([^<]*)</span>',
                block,
                re.S,
            )
        ]
    return shown


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_the_menu_leads_to_the_calendar(editor, home):
    response = editor.get(reverse("wagtailadmin_home"))
    assert CALENDAR in response.content.decode()
    assert editor.get(CALENDAR).status_code == 200


def test_each_article_sits_on_its_day_in_its_state(editor, month):
    response = editor.get(CALENDAR, MARCH)
    assert response.status_code == 200
    shown = days(response)
    assert ("published", "ja", "公開済みの記事") in shown["2031-03-10"]
    assert ("published", "en", "A published article") in shown["2031-03-10"]
    assert shown["2031-03-15"] == [("scheduled", "ja", "予約された記事")]
    # A draft sits on the date of its latest draft, not the one it was created with.
    assert shown["2031-03-20"] == [("draft", "ja", "下書きの記事")]
    assert shown["2031-03-01"] == []
    # A live article with a change scheduled sits on the day the change goes live.
    assert shown["2031-03-25"] == [("scheduled", "ja", "更新予定の記事")]
    # 31 March 20:00 UTC is 1 April in Tokyo: not in March.
    assert shown["2031-03-31"] == []
    html = response.content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[month["scheduled"].pk]) in html
    assert '<time datetime="2031-03-15T06:30:00+09:00">06:30</time>' in html


def test_the_day_follows_the_users_time_zone(editor, month, admin_user):
    assert days(editor.get(CALENDAR, {"year": 2031, "month": 4}))["2031-04-01"] == [
        ("published", "ja", "月末の記事")
    ]
    profile = UserProfile.get_for_user(admin_user)
    profile.current_time_zone = "UTC"
    profile.save()
    response = editor.get(CALENDAR, MARCH)
    assert days(response)["2031-03-31"] == [("published", "ja", "月末の記事")]
    assert '<time datetime="2031-03-31T20:00:00+00:00">20:00</time>' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"language": "en"}, {"A published article"}),
        ({"state": "scheduled"}, {"予約された記事", "更新予定の記事"}),
        ({"state": "draft"}, {"下書きの記事"}),
        ({"state": "published", "language": "ja"}, {"公開済みの記事"}),
        # A category's or author's slug is the same in every language.
        ({"category": "space"}, {"公開済みの記事", "A published article"}),
        ({"author": "yamada"}, {"公開済みの記事", "A published article"}),
    ],
)
def test_filters(editor, month, query, titles):
    response = editor.get(CALENDAR, {**MARCH, **query})
    shown = {title for entries in days(response).values() for _s, _l, title in entries}
    assert shown == titles
    assert messages_of(response) == []


def test_previous_and_next_months_keep_the_filters(editor, month):
    response = editor.get(CALENDAR, {**MARCH, "language": "ja"})
    html = response.content.decode()
    assert 'href="?year=2031&amp;month=2&amp;language=ja"' in html
    assert 'href="?year=2031&amp;month=4&amp;language=ja"' in html
    december = editor.get(CALENDAR, {"year": 2030, "month": 12}).content.decode()
    assert 'href="?year=2031&amp;month=1"' in december
    assert 'href="?year=2030&amp;month=11"' in december


def test_today_is_highlighted(editor, home):
    today = timezone.localdate()
    html = editor.get(CALENDAR).content.decode()
    assert re.search(rf'data-date="{today.isoformat()}" aria-current="date"', html), (
        "today is marked"
    )
    assert html.count('aria-current="date"') == 1


def test_an_editor_sees_only_the_articles_of_their_branch(client, month, english_tree):
    _home, en_index = english_tree
    branch_editor(client, en_index)
    response = client.get(CALENDAR, MARCH)
    assert response.status_code == 200
    shown = [entry for entries in days(response).values() for entry in entries]
    assert shown == [("published", "en", "A published article")]
    html = response.content.decode()
    assert "予約された記事" not in html and "下書きの記事" not in html


def test_a_user_without_page_rights_is_refused(client, month):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(username="reader", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert CALENDAR not in home
    response = client.get(CALENDAR, MARCH)
    # Wagtail's refusal: back to the dashboard, with a permission message.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


@pytest.mark.parametrize(
    "query",
    [
        {"year": 2031, "month": 13},
        {"year": 99999, "month": 3},
        {"year": 2031, "month": 0},
        {"year": "\x00", "month": 3},
        {"year": "２０３１", "month": "３"},
        {"year": "-1", "month": "3"},
        {"month": "abc"},
        {"year": 2**63, "month": 3},
        {"year": 2031, "month": "'; --"},
    ],
)
def test_a_month_that_is_not_one_shows_this_month_with_a_message(editor, month, query):
    response = editor.get(CALENDAR, query)
    assert response.status_code == 200
    today = timezone.localdate()
    assert (response.context["year"], response.context["month"]) == (today.year, today.month)
    assert any("showing this month" in message for message in messages_of(response))


@pytest.mark.parametrize(
    "query",
    [{"language": "xx"}, {"state": "\x00"}, {"category": "nope"}, {"author": "<b>x</b>"}],
)
def test_an_unknown_filter_is_dropped_with_a_message(editor, month, query):
    response = editor.get(CALENDAR, {**MARCH, **query})
    assert response.status_code == 200
    assert any("to filter by" in message for message in messages_of(response))
    assert "<b>x</b>" not in response.content.decode()
    assert len([e for entries in days(response).values() for e in entries]) == 5


def test_the_last_month_has_no_next_link(editor, home):
    html = editor.get(CALENDAR, {"year": 2999, "month": 12}).content.decode()
    assert "data-calendar-next" not in html
    assert "data-calendar-previous" in html


def test_queries_do_not_grow_with_the_articles(editor, month, index, django_assert_max_num_queries):
    editor.get(CALENDAR, MARCH)  # warm the caches (site root paths, content types)
    with django_assert_max_num_queries(QUERY_BUDGET) as few:
        editor.get(CALENDAR, MARCH)
    for n in range(15):
        article(index, f"追加の記事 {n}", f"more-{n}", display_date=at(2 + n % 20))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = editor.get(CALENDAR, MARCH)
    assert sum(len(entries) for entries in days(response).values()) == 20


QUERY_BUDGET = 14  # 12 on PostgreSQL when written: sessions, user, locales, filters, articles


def test_queries_do_not_grow_for_an_editor_of_a_branch(
    client, month, english_tree, django_assert_max_num_queries
):
    _home, en_index = english_tree
    branch_editor(client, en_index)
    client.get(CALENDAR, MARCH)
    with django_assert_max_num_queries(EDITOR_QUERY_BUDGET) as few:
        client.get(CALENDAR, MARCH)
    for n in range(10):
        article(en_index, f"More news {n}", f"more-{n}", display_date=at(2 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CALENDAR, MARCH)
    assert "More news 9" in response.content.decode()


EDITOR_QUERY_BUDGET = 19  # 17 when written: the page permissions too
