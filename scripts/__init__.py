"""Maintainers' scripts, run as files (``python scripts/<name>.py``). A package only so that
the test suite and the other scripts launch Chromium with the screenshots script's settings."""
