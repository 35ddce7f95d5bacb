"""Screenshots of the reader site at desktop and phone width, for a person to look at.

Usage: python scripts/screenshots.py [--first-visit] [--admin=EMAIL:PASSWORD]
                                     http://127.0.0.1:8000 OUTPUT_DIR [PATH ...]
Paths default to the home page and All Articles in ja and en. The pages are shown as a
returning reader sees them, who has answered the cookie banner ("Reject all"); with
--first-visit, as a first-time visitor sees them, banner included. With --admin, the pages are
admin pages, seen by that editor (logged in first, in the admin language of their account).
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


def answer_cookie_banner(page):
    """Click "Reject all" if the banner is shown: the choice holds for the next pages."""
    button = page.locator("#consent-banner:not([hidden]) [data-consent-choice=reject]")
    if button.count():
        button.click()


def log_in_to_admin(page, base_url, credentials):
    email, _, password = credentials.partition(":")
    page.goto(base_url.rstrip("/") + "/admin/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def main(base_url, output, paths, first_visit=False, admin=None):
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name, viewport in VIEWPORTS.items():
            page = browser.new_page(viewport=viewport)
            if admin:
                log_in_to_admin(page, base_url, admin)
            for path in paths:
                page.goto(base_url.rstrip("/") + path)
                if not (first_visit or admin):
                    answer_cookie_banner(page)
                slug = path.strip("/").replace("/", "_") or "root"
                target = output / f"{slug}--{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    first_visit = "--first-visit" in arguments
    admin = next((a.split("=", 1)[1] for a in arguments if a.startswith("--admin=")), None)
    arguments = [a for a in arguments if a != "--first-visit" and not a.startswith("--admin=")]
    if len(arguments) < 2:
        raise SystemExit(__doc__)
    main(
        arguments[0],
        arguments[1],
        arguments[2:] or ["/ja/", "/en/", "/ja/articles/", "/en/articles/"],
        first_visit=first_visit,
        admin=admin,
    )
