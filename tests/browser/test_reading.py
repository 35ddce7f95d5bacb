"""A reader on the demo site, in Chromium: reading, switching languages, keyboard, screenshots.

The fixtures (``tests/browser/conftest.py``) load the demo once and serve it live.
"""

import re
from datetime import datetime

import pytest
from django.utils import translation
from playwright.sync_api import expect

from .conftest import SCREENSHOT_DIR, VIEWPORTS, png_size

# django_db: so that pytest-django creates the test database (see conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def ui(text, language):
    """``text`` as the site's interface shows it in ``language`` (gettext)."""
    with translation.override(language):
        return translation.gettext(text)


def url_path(path):
    """A regular expression for a full URL on the live server ending in ``path``."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + "$")


def test_reader_goes_from_home_to_an_article_and_back(page, demo_site):
    page.goto("/ja/")
    page.locator(".site-nav").get_by_role("link", name=ui("All Articles", "ja")).click()
    expect(page).to_have_url(url_path("/ja/articles/"))
    list_url = page.url

    cards = page.locator(".card-grid .card")
    expect(cards).to_have_count(len(demo_site.articles["ja"]))
    dates = [
        datetime.fromisoformat(value)
        for value in cards.locator(".card__meta time").evaluate_all(
            "times => times.map(time => time.getAttribute('datetime'))"
        )
    ]
    assert dates == sorted(dates, reverse=True), "the list is not newest first"
    newest = demo_site.newest("ja")
    first_title = cards.first.locator(".card__title a")
    expect(first_title).to_have_text(newest.title)

    first_title.click()
    expect(page).to_have_url(url_path(f"/ja/articles/{newest.slug}/"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(newest.title)
    expect(page.locator(".article__body h2").first).to_contain_text("1.")

    chip = page.locator(".article__body a.cite-chip").first
    expect(chip).to_have_attribute("href", re.compile(r"^#ref-\d+$"))
    target = chip.get_attribute("href")
    references = page.locator("section.references")
    expect(references.get_by_role("heading", name=ui("Reference articles", "ja"))).to_be_visible()
    expect(references.locator(f"li{target}")).to_have_count(1)
    chip.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(references.locator(f"li{target}")).to_be_in_viewport()

    page.get_by_role("link", name=ui("Back to article list", "ja")).click()
    expect(page).to_have_url(list_url)


def test_language_menu_switches_to_the_translation_or_the_language_list_and_remembers(
    page, demo_site
):
    article = demo_site.translated("ja", "en", "de")
    page.goto(article.url)
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    menu = page.locator("details.language-menu")
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    english = menu.locator("a[hreflang='en']")
    expect(english).to_contain_text("English")
    expect(english).not_to_have_class(re.compile("is-untranslated"))
    english.click()
    expect(page).to_have_url(url_path(f"/en/articles/{article.slug}/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    menu.locator("summary").click()
    current = menu.locator("a[aria-current='true']")
    expect(current).to_have_attribute("hreflang", "en")
    german = menu.locator("a[hreflang='de']")
    expect(german).to_contain_text("Deutsch")
    expect(german).to_have_class(re.compile("is-untranslated"))
    expect(german).to_contain_text(ui("(not translated yet: opens the article list)", "en"))
    expect(menu.locator(".language-menu__legend")).to_be_visible()
    german.click()
    expect(page).to_have_url(url_path("/de/articles/"))
    expect(page.locator("html")).to_have_attribute("lang", "de")

    # The explicit choice is remembered: "/" now leads to German, whatever the browser says.
    page.set_extra_http_headers({"Accept-Language": "en"})
    page.goto("/")
    expect(page).to_have_url(url_path("/de/"))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_root_redirects_to_the_accept_language(new_context, language):
    context = new_context(locale=language, extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(url_path(f"/{language}/"))
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_first_tab_focuses_the_skip_link(page):
    page.goto("/ja/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({tag: document.activeElement.tagName, "
        "cls: document.activeElement.className, "
        "href: document.activeElement.getAttribute('href'), "
        "text: document.activeElement.textContent.trim()})"
    )
    assert focused == {
        "tag": "A",
        "cls": "skip-link",
        "href": "#main-content",
        "text": ui("Skip to main content", "ja"),
    }
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_in_viewport()  # shown while focused

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main-content$"))
    assert page.evaluate("() => document.activeElement.id") == "main-content"


EAGER_IMAGES = """() => {
    document.querySelectorAll("img[loading='lazy']").forEach(img => { img.loading = "eager"; });
    window.scrollTo(0, document.body.scrollHeight);
    window.scrollTo(0, 0);
}"""
IMAGES_READY = "() => Array.from(document.images).every(img => img.complete)"
BROKEN_IMAGES = (
    "() => Array.from(document.images).filter(img => !img.naturalWidth).map(img => img.src)"
)
PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def test_screenshots(new_context, demo_site):
    """Full-page screenshots for a person to look at (test-output/screenshots/)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    paths = {}
    for language in ("ja", "en"):
        slug = demo_site.newest(language).slug
        paths[f"{language}-home"] = f"/{language}/"
        paths[f"{language}-articles"] = f"/{language}/articles/"
        paths[f"{language}-article"] = f"/{language}/articles/{slug}/"

    for device, viewport in VIEWPORTS.items():
        page = new_context(viewport=viewport).new_page()
        # A returning reader: the cookie banner, answered once, no longer covers the page.
        page.goto(paths["ja-home"])
        page.locator("#consent-banner [data-consent-choice=reject]").click()
        for name, path in paths.items():
            page.goto(path)
            page.evaluate(EAGER_IMAGES)
            page.wait_for_function(IMAGES_READY)
            page.evaluate("() => document.fonts.ready")
            assert page.evaluate(BROKEN_IMAGES) == [], f"{path}: images that did not load"
            assert page.evaluate(PAGE_WIDTH) <= viewport["width"], (
                f"{path} scrolls sideways at {device} width"
            )

            screenshot(page, f"{name}--{device}", viewport, full_page=True)

        # The language menu, open, over the English article (untranslated languages marked).
        page.goto(paths["en-article"])
        page.locator("details.language-menu summary").click()
        screenshot(page, f"en-article-language-menu--{device}", viewport, full_page=False)


def screenshot(page, name, viewport, full_page):
    target = SCREENSHOT_DIR / f"{name}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=full_page, animations="disabled")
    assert target.stat().st_size > 20_000, f"{target} is nearly empty"
    width, height = png_size(target)
    assert width == viewport["width"]
    assert height >= viewport["height"] if full_page else height == viewport["height"]


# A text run that spans two lines has two client rectangles.
SPANS_ONE_LINE = """
([selector, text]) => {
    for (const element of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const start = node.data.indexOf(text);
            if (start < 0) continue;
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + text.length);
            return range.getClientRects().length === 1;
        }
    }
    return null;
}
"""


@pytest.mark.parametrize(
    ("url", "selector", "words"),
    [
        # Japanese: phrase-aware breaking keeps "3年" together in the lead story's title.
        ("/ja/", ".card__title", ["3年", "深宇宙画像"]),
        # Thai: no break inside a word of an article title.
        ("/th/articles/h3-rocket-second-flight/", "h1", ["ความล้มเหลว", "หรือไม่"]),
    ],
)
def test_headings_break_lines_between_words_not_inside_them(page, url, selector, words):
    page.goto(url)
    for word in words:
        assert page.evaluate(SPANS_ONE_LINE, [selector, word]) is True, word


def test_the_language_menu_closes_when_focus_leaves_it_on_escape_and_outside(new_context):
    page = new_context(viewport=VIEWPORTS["phone"]).new_page()
    page.goto("/en/")
    menu = page.locator("details.language-menu")
    toggle = menu.locator("summary")
    items = menu.locator("a")

    # Tabbing past the last language closes it: open, it covers the links that come next.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    for _ in range(items.count()):
        page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('details.language-menu')")
    page.keyboard.press("Tab")
    expect(menu).not_to_have_attribute("open", "")
    assert page.evaluate("() => !document.activeElement.closest('details.language-menu')")

    # Shift+Tab back to the toggle keeps it open: focus stays inside.
    toggle.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    expect(toggle).to_be_focused()
    expect(menu).to_have_attribute("open", "")

    # Escape from a language link closes it and brings focus back to the toggle.
    page.keyboard.press("Tab")
    expect(items.first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(toggle).to_be_focused()

    # A tap elsewhere (the page's margin, left of the panel) closes it.
    toggle.click()
    expect(menu).to_have_attribute("open", "")
    page.mouse.click(4, 400)
    expect(menu).not_to_have_attribute("open", "")


def test_citation_chips_are_named_by_the_domain_they_show(page, demo_site):
    page.goto(demo_site.newest("en").url)
    chips = page.locator(".article__body a.cite-chip")
    expect(chips.first).to_be_visible()
    for index in range(min(chips.count(), 6)):
        chip = chips.nth(index)
        domain = chip.locator(".cite-chip__domain").inner_text()
        more = chip.locator(".cite-chip__more")
        others = more.inner_text() if more.count() else ""  # "+1"
        assert "." in domain
        number = chip.get_attribute("href").removeprefix("#ref-")
        # The accessible name starts with the visible text (WCAG 2.5.3), then the numbers:
        # "nasa.gov +1 (Sources: 1, 3)".
        shown = re.escape(domain) + (r"\s*" + re.escape(others) if others else "")
        expect(chip).to_have_accessible_name(re.compile(rf"^{shown} \("))
        expect(chip).to_have_accessible_name(re.compile(rf"\(Sources?: {number}\b"))
    # A voice-control user says the domain they see and reaches the link.
    first_domain = chips.first.locator(".cite-chip__domain").inner_text()
    expect(page.get_by_role("link", name=first_domain).first).to_be_visible()


@pytest.mark.parametrize(
    ("language", "query", "marked"), [("ja", "着陸", "着陸"), ("en", "landed", "landing")]
)
def test_reader_searches_from_the_header_and_narrows_the_results(
    page, demo_site, language, query, marked
):
    page.goto(f"/{language}/")
    box = page.get_by_role("search").get_by_role("searchbox")
    box.fill(query)
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{language}/search/\?q="))
    results = page.locator(".search-result")
    expect(results.first).to_be_visible()
    # The words found are marked, in the reader's script.
    expect(results.first.locator("mark").first).to_be_visible()
    assert marked.lower() in " ".join(results.locator("mark").all_inner_texts()).lower()
    found = results.count()
    # Narrowed to the past 24 hours: the demo's articles are older; the latest are offered.
    page.locator("#search-period").select_option("day")
    page.locator(".search-page").get_by_role("button", name=ui("Search", language)).click()
    expect(page).to_have_url(re.compile(r"period=day"))
    expect(page.locator(".search-result")).to_have_count(0)
    expect(page.locator(".search-latest .card")).not_to_have_count(0)
    assert found >= 1
