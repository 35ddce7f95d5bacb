"""Every language's catalog is complete: no untranslated and no fuzzy entry."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
VENDOR = Path(settings.BASE_DIR) / "locale-vendor"
# locale-vendor/<lang>/ (Django's and allauth's gaps) and locale-vendor/<project>/<lang>/
# (Wagtail's and wagtail-localize's, written by scripts/vendor_catalogs.py).
VENDOR_CATALOGS = sorted(VENDOR.glob("**/LC_MESSAGES/*.po"))


def check_complete(po):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: make test installs Debian's gettext"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_catalog_is_complete(language):
    po = LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"no catalog for {language}"
    check_complete(po)


@pytest.mark.parametrize(
    "po", VENDOR_CATALOGS, ids=lambda po: str(po.relative_to(VENDOR).parent.parent) + "-" + po.stem
)
def test_vendor_catalog_is_complete(po):
    check_complete(po)


def test_account_pages_speak_hindi(client, home):
    """django-allauth has no Hindi; locale-vendor/hi supplies it."""
    html = client.get("/hi/accounts/signup/").content.decode()
    assert "पासवर्ड" in html
    assert "Password" not in html


def test_the_admin_keeps_wagtails_own_words_for_its_menus():
    """ukiyo's catalog comes before Wagtail's: a msgid both use without a context replaces
    Wagtail's translation in the admin (the banner's "Settings" once renamed the admin's
    Settings menu "Cookie設定")."""
    with translation.override("ja"):
        assert translation.gettext("Settings") == "設定"


def test_the_vendor_catalogs_cover_what_the_admin_dependencies_leave_untranslated():
    """Wagtail or wagtail-localize upgraded: new admin messages need ukiyo's translations.

    ``make vendor-catalogs`` adds them to locale-vendor/ (see scripts/vendor_catalogs.py).
    """
    result = subprocess.run(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "scripts" / "vendor_catalogs.py"),
            "--check",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    untranslated = [line for line in result.stdout.splitlines() if line.split()[3] != "0"]
    assert result.returncode == 0 and not untranslated, "\n".join(untranslated) or result.stderr
