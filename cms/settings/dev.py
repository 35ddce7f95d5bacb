"""Local development: SQLite, debug on, e-mails on the console."""

import os
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import WAGTAILADMIN_BASE_URL, env_bool, env_list, serve_media_from_env

DEBUG = True
SECRET_KEY = SECRET_KEY or "ukiyo-dev-only-not-secret"  # noqa: F405
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# The development server answers at the address its links give (make demo DEMO_ADDR=...).
_served_at = urlsplit(WAGTAILADMIN_BASE_URL).hostname
if _served_at and _served_at not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_served_at)

# No collectstatic step in development: runserver serves app static files directly.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The development server serves uploaded images (core.media), unless a bucket keeps them.
UKIYO_SERVE_MEDIA = serve_media_from_env(os.environ, True, STORAGES["default"])

# Webhook receivers on this machine (http://localhost:...) are the usual way to try them out.
UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", True)

# The development server logs each request itself.
UKIYO_REQUEST_LOG = env_bool("REQUEST_LOG", False)
