"""Dates in the admin, in Japanese: a future publication date schedules, the date pickers leave
the buttons clickable, and an article is unpublished with its translations.

Each test works on its own demo article, among the oldest (the reader tests' facts are about
the newest). Page ids come from the API, which the browser asks: no database query here.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.django_db

FUTURE = "2036-01-05 09:00"
UNPUBLISH = "はい、非公開に設定します。"  # Wagtail's "Yes, unpublish it"


def page_id(tab, article, language="ja"):
    answer = tab.request.get(
        "/api/v2/pages/",
        params={"type": "news.ArticlePage", "slug": article.slug, "locale": language},
    )
    [item] = answer.json()["items"]
    return item["id"]


def translation_id(tab, source_id, language):
    answer = tab.request.get(
        "/api/v2/pages/", params={"translation_of": source_id, "locale": language}
    )
    [item] = answer.json()["items"]
    return item["id"]


def is_live(tab, pk):
    return tab.request.get(f"/api/v2/pages/{pk}/").status == 200


def publish(tab):
    """The save bar's menu, then 公開 (Publish)."""
    tab.locator("footer [data-w-dropdown-target='toggle']").click()
    tab.locator("footer button[name='action-publish']").click()


def test_a_future_publication_date_schedules_the_article(admin, newsroom):
    article = newsroom.articles["ja"][-2]
    tab = admin("ja")
    pk = page_id(tab, article)
    tab.goto(f"/admin/pages/{pk}/unpublish/")
    tab.get_by_role("button", name=UNPUBLISH).click()
    tab.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    tab.goto(f"/admin/pages/{pk}/edit/")
    date = tab.locator("input[name=display_date]")
    date.fill(FUTURE)
    # A correction dated before the new publication date would be refused (and explained).
    tab.locator("input[name=updated_date]").fill("")
    publish(tab)  # with the calendar still open: it keeps off the save bar

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
    expect(tab.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)  # it is open...
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
    # The field 300 px above the window's bottom: the calendar fits below it, onto the save
    # bar (lower, and it would open above the field by itself).
    box = published.bounding_box()
    tab.mouse.wheel(0, box["y"] - (tab.viewport_size["height"] - 300))
    tab.wait_for_timeout(300)
    published.click()
    tab.locator(".xdsoft_datetimepicker:visible").wait_for()
    published.press("Control+a")
    published.press_sequentially("2024-01-05")
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
    ids = [translation_id(tab, pk, language) for language in translations]
    tab.goto(f"/admin/pages/{pk}/unpublish/")

    listed = tab.locator("[data-unpublish-translations] tbody tr")
    assert listed.count() == len(translations)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOT_DIR / "admin-unpublish-translations-ja.png", full_page=True)
    tab.locator("input[name=unpublish_translations]").check()
    tab.get_by_role("button", name=UNPUBLISH).click()
    tab.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    assert not is_live(tab, pk)
    assert [pk for pk in ids if is_live(tab, pk)] == []
    assert tab.locator(".messages").count() == 1
