"""Dates in the admin, in Japanese: a future publication date schedules, the date pickers leave
the buttons clickable, and an article is unpublished with its translations.

Each test works on its own demo article, among the oldest (the reader tests' facts are about
the newest). Page ids come from the API, which the browser asks: no database query here.
"""

import re

import pytest

from tests.browser.conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.django_db

FUTURE = "2036-01-05 09:00"


def page_id(tab, article, language="ja"):
    answer = tab.request.get(
        "/api/v2/pages/",
        params={"type": "news.ArticlePage", "slug": article.slug, "locale": language},
    )
    [item] = answer.json()["items"]
    return item["id"]


def live_in(tab, source_id, language):
    answer = tab.request.get(
        "/api/v2/pages/", params={"translation_of": source_id, "locale": language}
    )
    return answer.json()["meta"]["total_count"] == 1


def publish(tab):
    """The save bar's menu, then 公開 (Publish)."""
    tab.locator("footer [data-w-dropdown-target='toggle']").click()
    tab.locator("footer button[name='action-publish']").click()


def test_a_future_publication_date_schedules_the_article(admin, newsroom):
    article = newsroom.articles["ja"][-2]
    tab = admin("ja")
    pk = page_id(tab, article)
    tab.goto(f"/admin/pages/{pk}/unpublish/")
    tab.locator("form button[type=submit]").click()
    tab.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    tab.goto(f"/admin/pages/{pk}/edit/")
    date = tab.locator("input[name=display_date]")
    date.fill(FUTURE)
    date.press("Escape")
    publish(tab)

    tab.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    message = tab.locator(".messages").inner_text()
    assert f"ページ'{article.title}'の公開が予定されました。" in message
    # Readers see nothing of it: not in the list of Japanese articles, not in the API.
    listing = tab.request.get(
        "/api/v2/pages/", params={"type": "news.ArticlePage", "locale": "ja", "limit": 50}
    )
    assert article.slug not in [item["meta"]["slug"] for item in listing.json()["items"]]


def test_the_schedule_dialog_save_is_clickable_with_the_date_picker_open(admin, newsroom):
    article = newsroom.articles["ja"][-3]
    tab = admin("ja")
    tab.goto(f"/admin/pages/{page_id(tab, article)}/edit/")
    tab.locator("[data-side-panel-toggle='status']").click()
    tab.locator("button[data-a11y-dialog-show='schedule-publishing-dialog']").click()
    dialog = tab.locator("#schedule-publishing-dialog")
    go_live = dialog.locator("input[name=go_live_at]")
    go_live.click()
    go_live.fill(FUTURE)
    picker = tab.locator(".xdsoft_datetimepicker:visible")
    assert picker.count() == 1  # the calendar is open...
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOT_DIR / "admin-schedule-picker-ja.png")

    # ...and Save is not under it: Playwright's click fails on a covered button.
    dialog.locator("button[type=submit]").click()

    assert not dialog.is_visible()


def test_a_reference_date_picker_leaves_the_save_bar_clickable(admin, newsroom):
    article = newsroom.articles["ja"][-3]
    tab = admin("ja")
    tab.goto(f"/admin/pages/{page_id(tab, article)}/edit/")
    published = tab.locator("input[name$='-value-published']").first
    published.scroll_into_view_if_needed()
    # The field just above the save bar, where the calendar would drop onto it.
    box = published.bounding_box()
    viewport = tab.viewport_size
    tab.mouse.wheel(0, box["y"] - (viewport["height"] - 200))
    tab.wait_for_timeout(200)
    published.click()
    published.fill("2024-01-05")
    assert tab.locator(".xdsoft_datetimepicker:visible").count() == 1

    # trial: every check of a real click (visible, not covered), without saving a draft.
    tab.locator("footer button.action-save").first.click(trial=True)
    tab.locator("footer [data-w-dropdown-target='toggle']").click(trial=True)


def test_unpublishing_an_article_with_its_translations(admin, newsroom):
    article = newsroom.articles["ja"][-1]
    translations = sorted(article.languages - {"ja"})
    assert translations, "the oldest demo article is translated"
    tab = admin("ja")
    pk = page_id(tab, article)
    tab.goto(f"/admin/pages/{pk}/unpublish/")

    listed = tab.locator("[data-unpublish-translations] tbody tr")
    assert listed.count() == len(translations)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOT_DIR / "admin-unpublish-translations-ja.png", full_page=True)
    tab.locator("input[name=unpublish_translations]").check()
    tab.locator("form button[type=submit]").click()
    tab.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    assert [language for language in translations if live_in(tab, pk, language)] == []
    assert tab.locator(".messages").count() == 1
