"""List the English an editor meets in the admin, per screen, to drive catalog work.

Usage: python scripts/admin_language_sweep.py http://127.0.0.1:8000 EMAIL:PASSWORD

Logs in to the admin of a running site loaded with the demo (``load_demo``) as that user, walks
the admin's main screens in the system Chromium (the walk and the rules are in
``tests/browser_admin/language_sweep.py``, the same as ``tests/browser_admin/
test_admin_language.py``'s) and prints, per screen, each text with English in it and where it
comes from: a Wagtail, wagtail-localize, Django or ukiyo msgid (translate it in that catalog)
or none (hard-coded English to wrap in gettext, or content to allow). The admin's language is
the user's (Account → Settings → Preferred language). Exits 1 when it found English.
"""

import json
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django  # noqa: E402

django.setup()

from scripts.screenshots import CHROMIUM_ARGS, chromium_path, log_in_to_admin  # noqa: E402
from tests.browser_admin import language_sweep  # noqa: E402


def main(base_url, credentials):
    site = json.loads((ROOT / "demo" / "site.json").read_text(encoding="utf-8"))
    texts = site["languages"]["ja"]
    content = language_sweep.Content()
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=base_url, viewport={"width": 1280, "height": 900})
        log_in_to_admin(page, base_url, credentials)
        language = page.locator("html").get_attribute("lang")
        for screen, screen_texts in language_sweep.walk(
            page, home_title=texts["home"]["title"], index_title=texts["index"]["title"]
        ):
            english = language_sweep.english(screen_texts, content)
            if english:
                found[screen] = english
        browser.close()
    print(f"English in the admin in {language}:")
    print(language_sweep.report(found, language_sweep.Catalogs(language), content) or "none found.")
    return 1 if found else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
