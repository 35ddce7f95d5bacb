"""Every language's catalog is complete: no untranslated and no fuzzy entry."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_catalog_is_complete(language):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: make test installs Debian's gettext"
    po = LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"no catalog for {language}"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
