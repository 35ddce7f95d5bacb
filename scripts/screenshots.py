"""Screenshots of the reader site at desktop and phone width, for a person to look at.

Usage: python scripts/screenshots.py http://127.0.0.1:8000 OUTPUT_DIR [PATH ...]
Paths default to the home page, All Articles and the newest article in ja and en.
Uses the system Chromium (Debian's ``chromium`` package), never a downloaded browser.
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    return path


def main(base_url, output, paths):
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name, viewport in VIEWPORTS.items():
            page = browser.new_page(viewport=viewport)
            for path in paths:
                page.goto(base_url.rstrip("/") + path)
                slug = path.strip("/").replace("/", "_") or "root"
                target = output / f"{slug}--{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(
        sys.argv[1], sys.argv[2], sys.argv[3:] or ["/ja/", "/en/", "/ja/articles/", "/en/articles/"]
    )
