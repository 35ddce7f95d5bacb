"""Production settings as a test's server process runs them (``DJANGO_SETTINGS_MODULE``).

The one difference: static files come from the apps' folders, as in the test settings, so
that a test need not run ``collectstatic`` (ten seconds) before it starts a server.
"""

from cms.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
