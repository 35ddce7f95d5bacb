"""A translator, in the Japanese admin, meets machine translation that waits for review.

The demo leaves a Spanish translation half done (``perovskite-solar-japan``): the translator
machine-translates what is left in wagtail-localize's editor, sees each machine segment marked
as needing review, is refused publishing (with the count), then reviews a segment by saving it
unchanged and sees it counted as reviewed. Everything happens through the admin's pages.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db

# "Machine translation (<tool>, <date>): needs review", in the Japanese admin.
NEEDS_REVIEW = re.compile(r"機械翻訳（.+、\d{4}-\d{2}-\d{2}）：要確認")


def to_review(page):
    """The Spanish cell's count of segments to review, as the dashboard shows it."""
    page.goto("/admin/translations/?language=es&state=needs_review")
    cell = page.locator("[data-review][data-to-review]").first
    return int(cell.get_attribute("data-to-review"))


def test_machine_translation_is_reviewed_before_it_is_published(admin):
    page = admin("ja")
    # Machine translation and publishing write many rows: give a shared test machine time.
    page.set_default_timeout(60_000)
    page.goto("/admin/translations/?language=es&state=in_progress")
    cell = page.locator('a.translation-state[data-language="es"]')
    expect(cell).to_have_count(1)
    cell.click()

    # wagtail-localize's editor: machine-translate the segments left empty.
    page.locator('form[action*="machine_translate"] button[type="submit"]').first.click()
    segments = page.locator("li.complete")
    expect(segments.filter(has_text=NEEDS_REVIEW).first).to_be_visible()
    machine = segments.filter(has_text=NEEDS_REVIEW).count()
    assert machine > 0
    # No mark in the text: the segment shows the source text as it is, the state beside it.
    expect(page.get_by_text("[MT", exact=False)).to_have_count(0)
    editor_url = page.url

    before = to_review(page)
    assert before >= machine

    # Publishing is refused, with the number of segments to review.
    page.goto(editor_url)
    page.locator('button[name="action"][value="publish"]').click()
    expect(page.locator(".messages")).to_contain_text(
        # "<n> machine-translated segments still need review", in Japanese.
        f"機械翻訳されたセグメント{before}件が未確認です"
    )
    # A superuser may override; the message offers it, it does not do it.
    expect(page.locator('.messages a[href*="publish-unreviewed"]')).to_be_visible()

    # Review one segment without changing it: Edit, then Save as it is.
    segment = page.locator("li.complete").filter(has_text=NEEDS_REVIEW).first
    text_before = segment.locator("p").first.inner_text()
    segment.get_by_role("button").last.click()  # "Edit" (translated in Japanese)
    editing = page.locator("li textarea, li input[type=text]").first
    expect(editing).to_be_visible()
    buttons = editing.locator("xpath=ancestor::li[1]").get_by_role("button")
    buttons.last.click()  # "Save", after "Cancel"
    # "Translated or reviewed by <name> on <date>", in the Japanese admin.
    reviewed = page.locator("li.complete").filter(has_text="が翻訳または確認")
    expect(reviewed.first).to_be_visible()
    expect(reviewed.first).to_contain_text(text_before)

    # The dashboard counts one fewer to review.
    assert to_review(page) == before - 1
