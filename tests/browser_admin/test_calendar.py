"""The editorial calendar in Chromium, the admin in Japanese: a scheduled article on its day.

The demo's articles are published on fixed dates in the past; the article scheduled here goes
live two days from now, 10:00 in Tokyo (the admin's time zone), so it is a future schedule
whatever day the tests run.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.utils import timezone

from news.models import ArticleIndexPage
from tests.browser.conftest import SCREENSHOT_DIR, VIEWPORTS, png_size
from tests.factories import ArticlePageFactory, paragraph, section

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
TITLE = "予約公開のテスト記事：月面基地の続報"


@dataclass(frozen=True)
class Scheduled:
    page_id: int
    day: str  # YYYY-MM-DD in Tokyo
    next_month: bool  # whether the day is in next month, seen from today in Tokyo


@pytest.fixture(scope="package")
def scheduled_story(newsroom, django_db_blocker):
    """A Japanese article approved to go live in two days, committed for the live server.

    Written before Chromium starts (see ``tests/browser/conftest.py`` on Django's async
    guard); the demo's snapshot restore removes it at the end of the package.
    """
    with django_db_blocker.unblock():
        index = ArticleIndexPage.objects.get(locale__language_code="ja")
        today = timezone.localdate(timezone=TOKYO)
        day = today + timedelta(days=2)
        moment = datetime.combine(day, time(10), tzinfo=TOKYO)
        story = ArticlePageFactory(
            parent=index,
            title=TITLE,
            slug="scheduled-browser-story",
            live=False,
            display_date=moment,
            body=[section("見出し", [paragraph("段落。")])],
            references=[],
        )
        story.go_live_at = moment
        story.save_revision().publish()
        connections.close_all()
    return Scheduled(story.pk, day.isoformat(), day.month != today.month)


def screenshot(page, name, viewport):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / f"{name}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    width, _height = png_size(target)
    assert width == viewport["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"], (
        f"{name} scrolls sideways"
    )


def open_calendar(page, story):
    page.goto("/admin/")
    # The dashboard's newsroom panel leads to the calendar.
    page.locator("main a[href='/admin/calendar/']").click()
    page.wait_for_url("**/admin/calendar/")
    if story.next_month:
        page.locator("[data-calendar-next]").click()
        page.wait_for_url("**/admin/calendar/?year=*")


def test_the_calendar_shows_a_scheduled_article_on_its_day(scheduled_story, admin):
    page = admin("ja")
    open_calendar(page, scheduled_story)
    assert page.locator("html").get_attribute("lang") == "ja"
    year, month, _day = (int(part) for part in scheduled_story.day.split("-"))
    assert page.locator(".calendar-month").inner_text() == f"{year}年{month}月"
    day = page.locator(f"li[data-date='{scheduled_story.day}']")
    entry = day.locator(".calendar-entry", has_text=TITLE)
    assert entry.get_attribute("data-state") == "scheduled"
    assert entry.get_attribute("data-language") == "ja"
    assert entry.locator("time").inner_text() == "10:00"
    # The demo's articles were all published before today: this one is the month's only
    # scheduled article.
    assert page.locator(".calendar-entry[data-state='scheduled']").count() == 1
    if not scheduled_story.next_month:
        assert page.locator("li[aria-current='date']").count() == 1
    screenshot(page, "admin-calendar--ja-desktop", VIEWPORTS["desktop"])

    entry.locator("a").click()
    page.wait_for_url(f"**/admin/pages/{scheduled_story.page_id}/edit/")


def test_on_a_phone_the_month_is_a_list_of_its_days_with_articles(scheduled_story, admin):
    page = admin("ja", viewport=VIEWPORTS["phone"])
    open_calendar(page, scheduled_story)
    day = page.locator(f"li[data-date='{scheduled_story.day}']")
    assert day.is_visible()
    assert day.locator(".calendar-date-full").is_visible()
    assert not page.locator(".calendar-weekdays").is_visible()
    # The days shown are those with articles, and today.
    shown = page.locator("li.calendar-day:visible")
    with_articles = page.locator("li.calendar-day:not(.calendar-day--empty):visible")
    today = page.locator("li.calendar-day--empty[aria-current='date']:visible")
    assert shown.count() == with_articles.count() + today.count()
    screenshot(page, "admin-calendar--ja-phone", VIEWPORTS["phone"])


def test_the_article_list_shows_the_scheduled_article(scheduled_story, admin):
    page = admin("ja")
    page.goto("/admin/")
    page.locator("main a[href='/admin/articles/']").click()
    page.wait_for_url("**/admin/articles/")
    row = page.locator("tr", has_text=TITLE)
    assert row.locator("[data-state='live']").count() == 0
    count = row.locator(".translation-count")
    assert (count.get_attribute("data-live"), count.get_attribute("data-total")) == ("0", "9")
    screenshot(page, "admin-articles--ja-desktop", VIEWPORTS["desktop"])
