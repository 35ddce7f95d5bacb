"""An editor at work in the Japanese admin: an article written and published through the
editor, every mistake shown at once where it belongs, a new article left unsaved that leaves
nothing behind, and the character count of the Checks panel.

Nothing here reads the database while Chromium runs (see ``tests/browser/conftest.py``): the
article index is found through the public API, what was saved through the admin and the site.
"""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.django_db

# Wagtail's autosave would post within a few seconds of the last keystroke
# (WAGTAIL_AUTOSAVE_INTERVAL is 2 s): waiting longer proves that it does not.
LONGER_THAN_AUTOSAVE_MS = 5_000


def japanese_index_id(page):
    response = page.request.get("/api/v2/pages/?type=news.ArticleIndexPage&fields=_,id,locale")
    assert response.ok
    [index] = [item["id"] for item in response.json()["items"] if item["meta"]["locale"] == "ja"]
    return index


def new_article(page):
    page.goto(f"/admin/pages/add/news/articlepage/{japanese_index_id(page)}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def add_section(page, number, heading):
    page.locator("#body-root button.c-sf-add-button").last.click()
    page.fill(f"#body-{number}-value-heading", heading)


def section_panel(page, number):
    return page.locator("section.w-panel", has=page.locator(f"#body-{number}-value-heading")).last


def choose_block(page, add_button, name, attempts=3):
    """Open the block chooser of ``add_button`` and pick ``name``.

    A section added a moment ago gets its own add button at once, and the script that opens
    its chooser a little later: on a loaded machine a click in between is lost (seen with two
    test processes beside Chromium). The chooser is opened again until it shows; a click on
    an open chooser would close it, so it is only clicked while the option is hidden.
    """
    option = page.get_by_role("option", name=name, exact=True)
    for _attempt in range(attempts):
        if not option.is_visible():
            add_button.click()
        try:
            option.wait_for(state="visible", timeout=3_000)
        except PlaywrightTimeoutError:
            continue
        option.click()
        return
    raise AssertionError(f"The block chooser never offered {name!r}.")


def add_paragraph(page, section, position, text, sources=""):
    content = page.locator(f"#body-{section}-value-heading").locator(
        "xpath=ancestor::*[@data-contentpath='heading']/following-sibling::*"
        "[@data-contentpath='content']"
    )
    prefix = f"body-{section}-value-content-{position}-value"
    for _attempt in range(3):
        choose_block(page, content.locator("button.c-sf-add-button").last, "段落")
        # On a loaded machine the click on the option can be lost too: the chooser closes
        # and no paragraph comes. It is chosen again until the paragraph is there.
        try:
            page.locator(f"input[name='{prefix}-text']").wait_for(state="attached", timeout=5_000)
            break
        except PlaywrightTimeoutError:
            continue
    editor = (
        page.locator(f"input[name='{prefix}-text']")
        .locator("xpath=..")
        .locator("[contenteditable=true]")
    )
    editor.click()
    expect(editor).to_be_focused()
    page.keyboard.type(text)
    expect(editor).to_contain_text(text)
    page.fill(f"input[name='{prefix}-sources']", sources)


def add_reference(page, number, title, url):
    page.locator("#references-root button.c-sf-add-button").last.click()
    page.fill(f"#references-{number}-value-title", title)
    page.fill(f"#references-{number}-value-url", url)


def publish(page):
    page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    page.locator("button[name=action-publish]").click()
    page.wait_for_load_state()


def save_draft(page):
    page.locator("footer button.action-save").click()
    page.wait_for_load_state()


def screenshot(page, name):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"ja-editor-{name}--desktop.png"))


def test_an_editor_writes_and_publishes_an_article(admin):
    page = admin("ja")
    new_article(page)
    page.fill("#id_title", "探査機が月の南極に着陸")
    page.fill("textarea[name=summary]", "探査機が月の南極付近に着陸し、試料の採取を始める。")
    add_section(page, 0, "着陸の瞬間")
    add_paragraph(page, 0, 0, "探査機は南極付近のクレーターの縁に着陸した。", "1")
    add_section(page, 1, "これからの調査")
    add_paragraph(
        page, 1, 0, "試料の採取は来週始まり、", "１、２"
    )  # full-width, as typed in Japanese
    add_section(page, 2, "背景")
    add_paragraph(page, 2, 0, "南極の水の氷が注目されている。")
    add_reference(page, 0, "着陸の記録", "https://www.example.org/moon/landing")
    add_reference(page, 1, "調査計画", "https://science.example.com/plan")

    # A collapsed section reads its heading.
    section_panel(page, 1).locator(".w-panel__toggle").first.click()
    expect(section_panel(page, 1).locator(".c-sf-block__title").first).to_have_text(
        "これからの調査"
    )

    publish(page)

    expect(page.locator(".messages")).to_contain_text("探査機が月の南極に着陸")
    page.goto("/ja/articles/")
    page.get_by_role("link", name="探査機が月の南極に着陸").first.click()
    expect(page.locator("main h1")).to_have_text("探査機が月の南極に着陸")
    expect(page.locator("main h2").filter(has_text="これからの調査")).to_have_count(1)
    # The full-width "１、２" became sources 1 and 2: the chip shows the first and "+1".
    expect(page.locator("main")).to_contain_text("example.org")
    expect(page.locator("main")).to_contain_text("+1")


def test_every_mistake_is_shown_at_once_where_it_is(admin):
    page = admin("ja")
    new_article(page)
    page.fill("#id_title", "誤りの確認")
    page.fill("textarea[name=summary]", "見出しと出典の誤り。")
    add_section(page, 0, "着陸")
    add_paragraph(page, 0, 0, "探査機が着陸した。", "1")
    add_section(page, 1, "")  # the heading forgotten
    add_paragraph(page, 1, 0, "試料の採取は来週始まる。", "5")  # a source not in the list
    add_reference(page, 0, "着陸の記録", "https://www.example.org/moon/landing")

    publish(page)

    heading_error = page.locator("#body-1-value-heading-errors")
    sources_error = page.locator("#body-1-value-content-0-value-sources-errors")
    expect(heading_error).to_contain_text("この項目は必須です")
    expect(sources_error).to_contain_text("5")
    # Nothing else is marked: the first section is fine.
    expect(page.locator("#body-0-value-heading-errors")).to_have_text("")
    expect(page.locator("#body-0-value-content-0-value-sources-errors")).to_have_text("")
    sources_error.scroll_into_view_if_needed()
    screenshot(page, "errors")

    # Save draft: the empty heading is refused there too.
    page.fill("#body-1-value-content-0-value-sources", "1")
    save_draft(page)
    expect(page.locator("#body-1-value-heading-errors")).to_contain_text("この項目は必須です")
    expect(page.locator("#body-1-value-content-0-value-sources-errors")).to_have_text("")


def test_an_abandoned_new_article_leaves_nothing_behind(admin):
    page = admin("ja")
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    new_article(page)
    page.fill("#id_title", "書きかけの記事")
    page.fill("textarea[name=summary]", "途中でやめる。")
    add_section(page, 0, "")  # half-written: autosave must not nag about it either
    page.wait_for_timeout(LONGER_THAN_AUTOSAVE_MS)

    assert [url for url in posts if "/pages/add/" in url] == []
    # The indicator holds every state's text; only the current state's is shown.
    paused = page.locator("#w-autosave-indicator .w-autosave-indicator__state--paused")
    expect(paused).to_be_hidden()
    page.close(run_before_unload=False)

    # Nothing was created: the same title (the same slug) can be published later.
    again = admin("ja")
    new_article(again)
    again.fill("#id_title", "書きかけの記事")
    again.fill("textarea[name=summary]", "改めて書いた。")
    add_section(again, 0, "本文")
    add_paragraph(again, 0, 0, "改めて書いた記事。")
    publish(again)
    # No error anywhere (a slug "already in use" would be one), and the page is created.
    expect(again.locator(".w-field__errors:has(.error-message)")).to_have_count(0)
    expect(again.locator(".messages")).to_contain_text("書きかけの記事")
    expect(again.locator(".messages")).not_to_contain_text("slug")


def test_the_checks_panel_counts_characters(admin):
    page = admin("ja")
    new_article(page)
    page.fill("#id_title", "文字数を数える記事")
    page.fill("textarea[name=summary]", "文字数を数える。")
    add_section(page, 0, "数え方")
    add_paragraph(page, 0, 0, "日本語の記事の長さは文字数で数える。")
    save_draft(page)  # the editor now shows the saved draft

    page.locator("[data-side-panel-toggle=checks]").click()
    characters = page.locator("[data-ukiyo-character-count]")
    expect(characters).not_to_have_text("-", timeout=20_000)
    expect(page.locator("[data-ukiyo-character-metric]")).to_be_visible()
    words = int(page.locator("[data-content-word-count]").inner_text().replace(",", ""))
    count = int(characters.inner_text().replace(",", ""))
    # Japanese is written without spaces: far more characters than words.
    assert count > words > 0
    screenshot(page, "checks")
