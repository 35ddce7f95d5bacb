"""Lighthouse (mobile) and axe-core on every reader page type, in the site's languages.

Usage: python scripts/audit_pages.py [options] [BASE_URL]      (or: make audit-pages)

BASE_URL is a running ukiyo (default http://127.0.0.1:8000), ideally in production mode
(compression, static files with long lifetimes): Lighthouse's performance score depends on
them. Each page is opened as a first-time reader sees it: a fresh browser profile, no cookies,
the cookie banner shown.

Page types (found by following the site's own links, so any content works): home, All
Articles, a category page, an article, its author's page, the corrections page, search
results, log in, Cookie Settings and a plain page (the privacy page). For each page and
language the table gives Lighthouse's performance, accessibility and best-practices scores,
LCP, CLS, TBT and the bytes transferred (Lighthouse, mobile: its simulated slow 4G and
mid-range phone), and the number of axe-core violations (WCAG 2.0-2.2 A and AA rules and axe's
best practices) at phone and desktop width, each listed after the table.

Options:
  --languages=ja,en,...        languages to audit with axe (default: all nine)
  --lighthouse-languages=...   languages to audit with Lighthouse too (default: ja,en,th,hi;
                               "none" for axe only; Lighthouse takes ~15 s a page)
  --pages=home,article,...     page types (default: all)
  --runs=N                     Lighthouse runs per page; the median by performance (default 1)
  --min-performance=N          exit 1 if a Lighthouse performance score is below N (default 95)

A Lighthouse run that fails to record the page load is tried again (three attempts); a page
it never audits is listed below the table. Exits 1 when a page scores below
--min-performance, accessibility or best practices below 100, or has an axe violation.
Lighthouse and axe-core come from npm, at the exact versions (and hashes) of
scripts/audit-pages/package-lock.json, installed with ``npm ci`` into .cache/audit-pages/
(not tracked) on the first run. Chromium is Debian's (``chromium``),
never a downloaded one. Run it on a quiet machine: Lighthouse measures time.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from playwright.sync_api import sync_playwright

# Chromium as the screenshots launch it (its flags; headless is added for Lighthouse's own
# launch). scripts/ is run, not imported: its folder is on sys.path.
from screenshots import CHROMIUM_ARGS, chromium_path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "scripts" / "audit-pages"
INSTALL_DIR = ROOT / ".cache" / "audit-pages"
LANGUAGES = ["ja", "en", "zh-hans", "es", "fr", "ko", "de", "th", "hi"]
LIGHTHOUSE_LANGUAGES = ["ja", "en", "th", "hi"]
PAGE_TYPES = [
    "home",
    "articles",
    "category",
    "article",
    "author",
    "corrections",
    "search",
    "login",
    "cookie-settings",
    "plain",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


# -- npm ----------------------------------------------------------------------------


def install_tools():
    """Lighthouse and axe-core at the locked versions, in .cache/audit-pages/."""
    lock = (PACKAGE_DIR / "package-lock.json").read_bytes()
    stamp = INSTALL_DIR / ".lock-sha256"
    digest = hashlib.sha256(lock).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("npm is not installed: apt-get install npm")
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PACKAGE_DIR / name, INSTALL_DIR / name)
    print(f"Installing Lighthouse and axe-core into {INSTALL_DIR.relative_to(ROOT)} (npm ci)")
    subprocess.run(  # noqa: S603 (npm, with fixed arguments)
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=INSTALL_DIR,
        check=True,
    )
    stamp.write_text(digest)


# -- the pages ------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(url):
    # http(s) only: options() refuses any other base URL.
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
        parser = Links()
        parser.feed(response.read().decode("utf-8", "replace"))
    return parser.hrefs


def first(hrefs, pattern):
    return next((href for href in hrefs if re.fullmatch(pattern, href)), None)


def page_urls(base, language):
    """{page type: path} for ``language``, found through the site's links."""
    prefix = f"/{language}/"
    home = links(base + prefix)
    articles_path = first(home, re.escape(prefix) + r"[^/?#]+/") or prefix + "articles/"
    listing = links(base + articles_path)
    article = first(listing, re.escape(articles_path) + r"[^/?#]+/")
    category = first(listing, re.escape(articles_path) + r"\?category=[^&#]+")
    author = (
        first(links(base + article), re.escape(prefix) + r"authors/[^/?#]+/") if article else None
    )
    paths = {
        "home": prefix,
        "articles": articles_path,
        "category": category,
        "article": article,
        "author": author,
        "corrections": prefix + "corrections/",
        "login": prefix + "accounts/login/",
        "cookie-settings": prefix + "cookie-settings/",
        "plain": first(home, re.escape(prefix) + r"privacy/"),
    }
    if article:
        # A word of the article's slug is a search with results in any language's demo.
        word = article.rstrip("/").rsplit("/", 1)[-1].split("-")[0]
        paths["search"] = f"{prefix}search/?q={urllib.parse.quote(word)}"
    return {kind: path for kind, path in paths.items() if path}


# -- Lighthouse -----------------------------------------------------------------------


# Lighthouse sometimes fails to record a page load ("NO_NAVSTART") on a page it audits fine
# the next time: a run is tried this many times before the page counts as failed.
ATTEMPTS = 3


def lighthouse_report(url):
    """One Lighthouse run's report, or None if every attempt failed."""
    binary = INSTALL_DIR / "node_modules" / ".bin" / "lighthouse"
    for _ in range(ATTEMPTS):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            done = subprocess.run(  # noqa: S603 (the locked Lighthouse, on a URL of the audited site)
                [
                    str(binary),
                    url,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=performance,accessibility,best-practices",
                    "--chrome-flags=" + " ".join(["--headless=new", *CHROMIUM_ARGS]),
                ],
                check=False,
                env={**os.environ, "CHROME_PATH": chromium_path()},
            )
            if done.returncode == 0 and report.exists():
                return json.loads(report.read_text())
    return None


def lighthouse(url, runs):
    """The median (by performance) of ``runs`` Lighthouse runs: a dict of the table's values
    (empty when Lighthouse could not audit the page)."""
    results = []
    for _ in range(runs):
        data = lighthouse_report(url)
        if data is None:
            continue
        audits = data["audits"]
        results.append(
            {
                "performance": score(data, "performance"),
                "accessibility": score(data, "accessibility"),
                "best-practices": score(data, "best-practices"),
                "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
                "cls": audits["cumulative-layout-shift"]["numericValue"],
                "tbt": audits["total-blocking-time"]["numericValue"],
                "bytes": audits["total-byte-weight"]["numericValue"],
                "failed": [
                    audit["title"]
                    for category in ("accessibility", "best-practices")
                    for ref in data["categories"][category]["auditRefs"]
                    if ref["weight"] and (audit := audits[ref["id"]])["score"] not in (None, 1)
                ],
            }
        )
    if not results:
        return {}
    results.sort(key=lambda result: result["performance"])
    return results[(len(results) - 1) // 2]


def score(data, category):
    value = data["categories"][category]["score"]
    return None if value is None else round(value * 100)


# -- axe ------------------------------------------------------------------------------


def axe(browser, url):
    """{viewport: [violations]} for a first-time reader (banner shown), phone and desktop."""
    source = (INSTALL_DIR / "node_modules" / "axe-core" / "axe.min.js").read_text()
    found = {}
    for name, viewport in VIEWPORTS.items():
        # bypass_csp: axe is injected as an inline script, which the page's policy refuses.
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        page.add_script_tag(content=source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        found[name] = [
            {
                "id": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "targets": [", ".join(map(str, node["target"])) for node in violation["nodes"]],
            }
            for violation in result["violations"]
        ]
        context.close()
    return found


# -- the table ------------------------------------------------------------------------


def options(arguments):
    values = {
        "languages": ",".join(LANGUAGES),
        "lighthouse-languages": ",".join(LIGHTHOUSE_LANGUAGES),
        "pages": ",".join(PAGE_TYPES),
        "runs": "1",
        "min-performance": "95",
    }
    base = "http://127.0.0.1:8000"
    for argument in arguments:
        if argument in ("-h", "--help"):
            raise SystemExit(__doc__)
        if argument.startswith("--"):
            name, _, value = argument[2:].partition("=")
            if name not in values or not value:
                raise SystemExit(f"Unknown option {argument}\n\n{__doc__}")
            values[name] = value
        else:
            base = argument
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise SystemExit(f"Not an http(s) URL: {base}")
    chosen = {
        "base": base.rstrip("/"),
        "languages": [code for code in values["languages"].split(",") if code],
        "lighthouse": [code for code in values["lighthouse-languages"].split(",") if code],
        "pages": [kind for kind in values["pages"].split(",") if kind],
        "runs": int(values["runs"]),
        "min_performance": int(values["min-performance"]),
    }
    if chosen["lighthouse"] == ["none"]:
        chosen["lighthouse"] = []
    unknown = set(chosen["pages"]) - set(PAGE_TYPES)
    if unknown:
        raise SystemExit(f"Unknown page types: {', '.join(sorted(unknown))}")
    return chosen


def cell(value, pattern="{}"):
    return "–" if value is None else pattern.format(value)


def main(arguments):
    chosen = options(arguments)
    install_tools()
    base = chosen["base"]
    languages = list(dict.fromkeys(chosen["languages"] + chosen["lighthouse"]))
    header = ("page", "lang", "perf", "a11y", "bp", "LCP s", "CLS", "TBT ms", "KiB", "axe")
    rows, details, failures = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for language in languages:
            urls = page_urls(base, language)
            for kind in chosen["pages"]:
                path = urls.get(kind)
                if not path:
                    failures.append(f"{kind} {language}: no such page found from /{language}/")
                    continue
                url = base + path
                print(f"… {kind} {language}: {path}", file=sys.stderr)
                result = {}
                if language in chosen["lighthouse"]:
                    result = lighthouse(url, chosen["runs"])
                    if not result:
                        failures.append(f"{kind} {language}: Lighthouse failed {ATTEMPTS} times")
                violations = axe(browser, url) if language in chosen["languages"] else None
                count = None
                if violations is not None:
                    count = sum(len(found) for found in violations.values())
                    for viewport, found in violations.items():
                        for violation in found:
                            details.append((kind, language, viewport, violation))
                rows.append(
                    (
                        kind,
                        language,
                        cell(result.get("performance")),
                        cell(result.get("accessibility")),
                        cell(result.get("best-practices")),
                        cell(result.get("lcp"), "{:.2f}"),
                        cell(result.get("cls"), "{:.3f}"),
                        cell(result.get("tbt"), "{:.0f}"),
                        cell(result.get("bytes") and result["bytes"] / 1024, "{:.0f}"),
                        cell(count),
                    )
                )
                if result and result["performance"] < chosen["min_performance"]:
                    failures.append(f"{kind} {language}: performance {result['performance']}")
                for name in ("accessibility", "best-practices"):
                    if result and result[name] is not None and result[name] < 100:
                        failures.append(
                            f"{kind} {language}: {name} {result[name]} "
                            f"({'; '.join(result['failed'])})"
                        )
                if count:
                    failures.append(f"{kind} {language}: {count} axe violations")
        browser.close()

    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print("  ".join(title.ljust(width) for title, width in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)))
    if len(chosen["lighthouse"]):
        print(f"\nLighthouse: mobile, {chosen['runs']} run(s) per page (median by performance).")
    for kind, language, viewport, violation in details:
        print(
            f"\naxe {kind} {language} ({viewport}): {violation['id']} ({violation['impact']}): "
            f"{violation['help']}\n    " + "\n    ".join(violation["targets"])
        )
    if failures:
        print("\nBelow the goals:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
