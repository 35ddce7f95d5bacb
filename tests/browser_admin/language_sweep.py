"""The admin-language sweep: English that an editor working in another language should not see.

``walk(page)`` opens the admin's main screens in a Playwright page logged in to the admin (its
account's language decides the admin's), opens what hides text (side panels, collapsed blocks,
dialogs, tabs) and yields, per screen, every visible text and every ``placeholder``, ``title``
and ``aria-label``. ``english(texts, content)`` keeps the texts with English words in them:
words of three ASCII letters or more, once names that stay English (``ALLOWED_WORDS``), the
demo's own content (``Content``: a Latin-script article title is the editors' text, not the
admin's), addresses, file names and code are set aside. ``Catalogs.source(text)`` says
where a text comes from, so that catalog work knows which catalog to fill.

Used by ``test_admin_language.py`` on the browser tests' demo and by
``scripts/admin_language_sweep.py`` on any running site loaded with the demo. Reads no
database (the browser tests may not while Chromium runs): the demo's content comes from its
files.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import polib
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
# ukiyo's apps, whose code a text may come from.
ROOT_APPS = [
    "accounts",
    "api",
    "changes",
    "cms",
    "consent",
    "core",
    "home",
    "news",
    "preview",
    "search",
    "translations",
    "webhooks",
]

# Words that stay English in every admin language: names of products, services and formats,
# and abbreviations every language writes in Latin letters.
ALLOWED_WORDS = {
    word.casefold()
    for word in (
        *("ukiyo", "Wagtail", "Django", "Draftail", "DeepL", "LibreTranslate", "YouTube"),
        *("Cookie", "Cookies", "OpenAPI", "URL", "URLs", "API", "APIs", "HTML", "JSON", "SEO"),
        *("CSV", "XLSX", "PDF", "PNG", "JPEG", "JPG", "GIF", "WebP", "AVIF", "SVG", "RSS"),
        *("UTC", "GMT", "Alt"),
    )
}

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_PATH = re.compile(r"(?<!\w)/\S*")  # /admin/pages/3/, /ja/articles/
_FILE = re.compile(r"\S+\.(?:png|jpe?g|gif|webp|avif|svg|pdf|docx?|xlsx?|csv|txt|zip)\b", re.I)
# A word of three ASCII letters or more, not part of a slug, an identifier or a number.
_WORD = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z]{3,}(?![A-Za-z0-9_\-])")


def english_words(text):
    """The words of ``text`` that look English and are not on the allow-list."""
    for pattern in (_URL, _EMAIL, _FILE, _PATH):
        text = pattern.sub(" ", text)
    return [word for word in _WORD.findall(text) if word.casefold() not in ALLOWED_WORDS]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class Content:
    """What the demo's editors wrote (titles, paragraphs, captions, names, image titles...),
    in whatever script: text of theirs on a screen is not the admin's to translate."""

    def __init__(self, extra=()):
        from demo import images
        from demo.loader import DemoLoader

        demo = ROOT / "demo"
        texts = list(extra)
        for path in sorted(demo.glob("*.json")) + sorted(demo.glob("*/**/*.json")):
            texts.extend(_strings(json.loads(path.read_text(encoding="utf-8"))))
        texts.extend(images.ALT_TEXT.values())
        # Image titles, as DemoLoader.create_images names them.
        texts.extend(
            f"{key.replace('-', ' ').capitalize()} (illustration)"
            for key in DemoLoader().image_keys()
        )
        texts = {" ".join(re.sub(r"<[^>]+>", "", text).split()) for text in texts}
        self.text = "\n".join(sorted(texts))
        # Short texts (titles, names) are removed from a screen's texts before they are judged:
        # "Editing: <title>" is the admin's words around an editor's.
        short = sorted((t for t in texts if 3 <= len(t) <= 120), key=len, reverse=True)
        self.names = re.compile("|".join(re.escape(text) for text in short))

    def holds(self, text):
        """Whether ``text`` is (a whole-word part of) one of the demo's texts; a text cut short
        by the admin ("…") may end mid-word."""
        cut = text.endswith(("…", "..."))
        text = " ".join(re.sub(r"<[^>]+>", "", text).rstrip("….").split())
        if not text:
            return True
        end = "" if cut else r"(?!\w)"
        return re.search(rf"(?<!\w){re.escape(text)}{end}", self.text) is not None

    def without_names(self, text):
        from django.conf import settings

        text = self.names.sub(" ", text)
        # ukiyo names each language in that language (settings.LANGUAGES), in every admin.
        for _code, name in settings.LANGUAGES:
            text = text.replace(str(name), " ")
        return text


# English that a dependency writes without gettext, so that no catalog can translate it. Each
# is named with where it comes from, to be fixed upstream; nothing else is passed over.
UPSTREAM_ENGLISH = {
    # wagtail/admin/templates/wagtailadmin/shared/headers/_actions.html: the header's
    # <nav aria-label="Actions">, a screen reader's label, not marked for translation.
    re.compile(r"Actions"): "Wagtail 8.0: the slim header's aria-label",
    # wagtail-localize 1.14's editor (wagtail-localize.js) titles its tab panel with the
    # template literal `${source} to ${target} translation`.
    re.compile(r".+ to .+ translation"): "wagtail-localize 1.14: the editor's tab title",
    # ...and its dropdown toggle's screen-reader text.
    re.compile(r"More actions"): "wagtail-localize 1.14: the editor's dropdown toggle",
}


def english(texts, content):
    """The texts of one screen that hold English, once each, in the order they were met."""
    found = []
    for text in texts:
        if text in found or content.holds(text):
            continue
        if any(pattern.fullmatch(text) for pattern in UPSTREAM_ENGLISH):
            continue
        if english_words(content.without_names(text)):
            found.append(text)
    return found


# -- where a text comes from -------------------------------------------------------------------


def _pattern(msgid):
    """A regex matching ``msgid`` with its placeholders filled in; None if it has no
    placeholder, or too few words of its own to tell it from another text."""
    parts = re.split(r"(%\(\w+\)[sdi]|%[sdi]|\{\{\s*\w+\s*\}\}|\{\w*\})", msgid)
    if len(parts) == 1 or not _WORD.search("".join(parts[::2])):
        return None
    return re.compile(
        "".join(".+?" if n % 2 else re.escape(part) for n, part in enumerate(parts)),
        re.DOTALL,
    )


@dataclass
class Catalog:
    """A project's msgids, and which of them its catalogs for a language translate."""

    project: str
    msgids: dict  # text -> its msgid (a msgid, or a piece of one between two tags)
    translated: set
    patterns: dict  # pattern -> msgid

    @classmethod
    def load(cls, project, paths, language_paths):
        msgids, translated, patterns = {}, set(), {}

        def normal(text):
            return " ".join(re.sub(r"<[^>]+>", " ", text).split())

        def add(text, msgid):
            msgids.setdefault(text, msgid)
            pattern = _pattern(text)
            if pattern is not None:
                patterns.setdefault(pattern, msgid)

        for path in list(paths) + list(language_paths):
            for entry in polib.pofile(str(path)):
                for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                    add(normal(msgid), normal(entry.msgid))
                    # A msgid with markup shows as several texts ("86 Pages", "created in...").
                    for piece in re.split(r"<[^>]+>", msgid):
                        if _WORD.search(piece):
                            add(normal(piece), normal(entry.msgid))
        for path in language_paths:
            for entry in polib.pofile(str(path)).translated_entries():
                translated.add(normal(entry.msgid))
        return cls(project, msgids, translated, patterns)

    def msgid(self, text, exact=True):
        if exact:
            return self.msgids.get(text)
        return next((m for p, m in self.patterns.items() if p.fullmatch(text)), None)


class Catalogs:
    """Where a text comes from: a msgid of ukiyo, wagtail-localize, Wagtail or Django, and
    whether the catalogs Django loads for ``language`` translate it."""

    def __init__(self, language):
        import django
        import wagtail
        import wagtail_localize

        code = language.replace("-", "_")
        if code == "zh_hans":
            code = "zh_Hans"

        def upstream(package, lang):
            return sorted(Path(package.__file__).parent.glob(f"**/locale/{lang}/LC_MESSAGES/*.po"))

        def vendor(project):
            return sorted(ROOT.glob(f"locale-vendor/{project}/{code}/LC_MESSAGES/*.po"))

        ukiyo = sorted(ROOT.glob(f"locale/{code}/LC_MESSAGES/*.po"))
        django_vendor = sorted(ROOT.glob(f"locale-vendor/{code}/LC_MESSAGES/*.po"))
        self.catalogs = [
            Catalog.load("ukiyo", [], ukiyo),
            Catalog.load(
                "wagtail-localize",
                upstream(wagtail_localize, "en"),
                upstream(wagtail_localize, code) + vendor("wagtail-localize"),
            ),
            Catalog.load(
                "Wagtail", upstream(wagtail, "en"), upstream(wagtail, code) + vendor("wagtail")
            ),
            Catalog.load(
                "Django",
                upstream(django, "en"),
                upstream(django, code) + django_vendor,
            ),
        ]

    def candidates(self, text, content=None):
        """``text``, then what remains once the names in it, a " - Wagtail" of a page title
        and the punctuation around it are taken away ("Exploring: <title>" → "Exploring")."""
        text = " ".join(re.sub(r"<[^>]+>", "", text).split())
        found = [text]
        bare = text.split(" - ")[0]
        if content is not None:
            bare = content.without_names(bare)
        bare = " ".join(bare.split()).strip(" :：()（）「」'\"")
        if bare and bare != text:
            found.append(bare)
        return found

    def source(self, text, content=None):
        """Where ``text`` comes from, in words."""
        for candidate in self.candidates(text, content):
            for exact in (True, False):
                sources = []
                for catalog in self.catalogs:
                    msgid = catalog.msgid(candidate, exact)
                    if msgid is None:
                        continue
                    where = "" if msgid == text else f" {msgid!r}"
                    state = "translated" if msgid in catalog.translated else "untranslated"
                    sources.append(f"{catalog.project} msgid{where}, {state}")
                if sources:
                    return "; ".join(sources)
        for candidate in self.candidates(text, content):
            for project, source in self.sources():
                if any(f"{q}{candidate}{q}" in source for q in ('"', "'", ">")):
                    return f"{project} source, in no catalog of its own"
        return "in no catalog or source: content, or composed at run time"

    _sources = None

    def sources(self):
        """(project, all its Python, template and JavaScript text), read once."""
        if Catalogs._sources is None:
            import wagtail
            import wagtail_localize

            def read(folders, exclude=()):
                return "\n".join(
                    path.read_text(encoding="utf-8", errors="replace")
                    for folder in folders
                    for pattern in ("**/*.py", "**/*.html", "**/*.js")
                    for path in folder.glob(pattern)
                    if not any(part in exclude for part in path.parts)
                )

            apps = [ROOT / name for name in ROOT_APPS if (ROOT / name).is_dir()]
            Catalogs._sources = [
                ("ukiyo", read(apps, exclude={"migrations"})),
                ("wagtail-localize", read([Path(wagtail_localize.__file__).parent])),
                ("Wagtail", read([Path(wagtail.__file__).parent], exclude={"tests"})),
            ]
        return Catalogs._sources


def report(found, catalogs=None, content=None):
    """``found`` ({screen: [text]}) as lines to read, each text with its source. Texts found
    on every screen (the admin's menu, say) are listed once, first."""
    everywhere = set.intersection(*(set(texts) for texts in found.values())) if found else set()
    if len(found) < 2:
        everywhere = set()
    sections = []
    if everywhere:
        first = next(iter(found.values()))
        sections.append(("every screen below", [text for text in first if text in everywhere]))
    for screen, texts in found.items():
        rest = [text for text in texts if text not in everywhere]
        if rest:
            sections.append((screen, rest))
    lines = []
    for screen, texts in sections:
        lines.append(f"{screen}:")
        for text in texts:
            source = f"  [{catalogs.source(text, content)}]" if catalogs else ""
            lines.append(f"    {text!r}{source}")
    return "\n".join(lines)


# -- the walk ----------------------------------------------------------------------------------

# Visible text nodes, and the attributes read aloud or shown on hover, of the page as it is.
COLLECT = """() => {
    const skip = "script, style, noscript, template, code, pre, textarea, [contenteditable=true]";
    const shown = (element) => element.checkVisibility({visibilityProperty: true});
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const text = node.data.replace(/\\s+/g, " ").trim();
        const parent = node.parentElement;
        if (text && parent && !parent.closest(skip) && shown(parent)) texts.push(text);
    }
    for (const element of document.body.querySelectorAll("[placeholder], [title], [aria-label]")) {
        const parent = element.parentElement;
        if (!shown(element) || (parent && parent.closest(skip))) continue;
        for (const name of ["placeholder", "title", "aria-label"]) {
            const value = (element.getAttribute(name) || "").replace(/\\s+/g, " ").trim();
            if (value) texts.push(value);
        }
    }
    return texts;
}"""


def texts_of(page):
    return page.evaluate(COLLECT)


def click_all(page, selector, limit=200):
    """Clicks every visible element matching ``selector`` (collapsed blocks, say)."""
    for _ in range(limit):
        target = page.locator(f"{selector} >> visible=true").first
        if not target.count():
            return
        target.click()


def href(page, selector):
    return page.locator(selector).first.get_attribute("href")


def explorer_of(page, title):
    """The page explorer's URL of the children of the page titled ``title`` (a listing row)."""
    row = page.locator("tbody tr", has_text=title).first
    for link in row.locator("a").all():
        url = link.get_attribute("href") or ""
        if re.fullmatch(r"/admin/pages/\d+/", url):
            return url
    raise AssertionError(f"No explorer link for {title!r} on {page.url}")


class InFlight:
    """The requests a page has sent and not seen answered, to say what a wait waited for."""

    def __init__(self, page):
        self.page = page
        self.pending = set()
        page.on("request", lambda request: self.pending.add(request))
        page.on("requestfinished", lambda request: self.pending.discard(request))
        page.on("requestfailed", lambda request: self.pending.discard(request))

    def settle(self):
        """Waits until the page's network is idle (Playwright: 500 ms without a request). If
        that does not come within the timeout, a page with every request answered has
        settled all the same; one still loading fails, naming what it waits for."""
        try:
            self.page.wait_for_load_state("networkidle")
        except PlaywrightTimeout:
            waiting = sorted(f"{r.method} {r.url}" for r in self.pending)
            if waiting:
                message = f"{self.page.url} never went quiet; still loading: {waiting}"
                raise AssertionError(message) from None


def side_panels(page, inflight):
    """Each side panel of an edit view opened in turn, and the status panel's scheduling
    dialog."""
    for toggle in page.locator("[data-side-panel-toggle]").all():
        name = toggle.get_attribute("data-side-panel-toggle")
        toggle.click()
        page.locator(f"[data-side-panel='{name}']").wait_for(state="visible")
        inflight.settle()
        yield f"article edit view: side panel {name!r}", texts_of(page)
        if name == "status":
            schedule = page.locator("[data-a11y-dialog-show='schedule-publishing-dialog']")
            if schedule.count():
                schedule.first.click()
                page.locator("#schedule-publishing-dialog").wait_for(state="visible")
                yield "article edit view: schedule publishing dialog", texts_of(page)
                page.keyboard.press("Escape")
        toggle.click()


def walk(page, *, home_title, index_title):
    """Yields (screen, texts) for each of the admin's main screens.

    ``home_title`` and ``index_title``: the titles of the Japanese home page and article index,
    by which the page explorer is walked.
    """

    inflight = InFlight(page)

    def visit(url):
        """Opens ``url``: None when it loads, else a text that says it failed, which the sweep
        reports with the screen (a screen that fails cannot be read, and must not pass)."""
        response = page.goto(url)
        inflight.settle()
        if not response.ok:
            return [f"HTTP {response.status} answered (the screen could not be read)"]
        return None

    def screen(url):
        return visit(url) or texts_of(page)

    yield "dashboard", screen("/admin/")

    visit("/admin/pages/")
    yield "page explorer: Japanese home", screen(explorer_of(page, home_title))

    index_url = explorer_of(page, index_title)
    index_id = re.search(r"/pages/(\d+)/", index_url).group(1)
    yield "page explorer: article index", screen(index_url)
    # The "More" menu of the newest translated article (other tests of the package may add
    # untranslated ones), which holds wagtail-localize's "Sync translated pages".
    for row in page.locator("table.listing tbody tr").all()[:10]:
        row.locator(".w-dropdown__toggle").click()
        sync_link = page.locator("a[href*='/localize/update/'] >> visible=true").first
        try:
            sync_link.wait_for(timeout=2000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        edit_url = row.locator("a[href*='/edit/']").first.get_attribute("href")
        break
    else:
        raise AssertionError("No article in the index has translations to sync")
    article_id = re.search(r"/pages/(\d+)/edit/", edit_url).group(1)
    update_url = sync_link.get_attribute("href")
    yield "page explorer: an article's More menu", texts_of(page)
    page.keyboard.press("Escape")

    # The newest article's edit view, with everything that hides text opened in turn.
    failed = visit(edit_url)
    if failed:
        yield "article edit view", failed
    else:
        click_all(page, "button[aria-expanded=false][data-panel-toggle]")
        click_all(page, "[data-streamfield-stream-container] button[aria-expanded=false]")
        yield "article edit view (blocks expanded)", texts_of(page)
        yield from side_panels(page, inflight)

    yield "article history", screen(f"/admin/pages/{article_id}/history/")
    yield "add child page: type chooser", screen(f"/admin/pages/{index_id}/add_subpage/")

    failed = visit(f"/admin/pages/add/news/articlepage/{index_id}/")
    if not failed:
        click_all(page, "button[aria-expanded=false][data-panel-toggle]")
    yield "create article", failed or texts_of(page)

    # Categories are snippets with a menu item of their own (the generic snippets index lists
    # no model for them).
    yield "snippets: categories", screen("/admin/snippets/news/category/")
    category_url = href(page, "table.listing tbody tr a[href*='/edit/']")
    yield "snippets: category edit", screen(category_url)

    yield "images", screen("/admin/images/")
    image_url = href(page, ".listing a[href*='/images/'][href$='/']")
    yield "image edit", screen(image_url)

    yield "documents", screen("/admin/documents/")

    yield "translations dashboard", screen("/admin/translations/")
    visit("/admin/translations/?language=en")
    english_editor = href(page, ".translation-table td a[href*='/edit/']")
    yield "translation editor (English)", screen(english_editor)

    yield "sync translated pages", screen(update_url)

    failed = visit("/admin/account/")
    if failed:
        yield "account", failed
        return
    for tab in page.get_by_role("tab").all():
        tab.click()
        yield f"account: {tab.get_attribute('href')}", texts_of(page)
