"""Production: everything from the environment; refuses to start half-configured."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, logging_from_env

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated host names).")

DEBUG = False
# Persistent database connections (health-checked before reuse): a minute unless CONN_MAX_AGE
# says otherwise; every server thread keeps one (docs/configuration.md, "Database connections").
for _database in DATABASES.values():  # noqa: F405  (the primary, and the read replica)
    _database["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The reader's language cookie (accounts.languages, /i18n/setlang/) is HTTPS-only as well.
LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# HTTPS only, remembered by browsers (HSTS): a year, subdomains included, eligible for the
# browsers' preload list (what `check --deploy` asks for, and hstspreload.org requires). A site
# with a subdomain on plain HTTP sets SECURE_HSTS_INCLUDE_SUBDOMAINS=false (and no preload);
# try a new domain with SECURE_HSTS_SECONDS=300 first. 0 turns HSTS off.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Logs as JSON, one object per line, for a log collector (LOG_FORMAT=text for lines to read).
LOGGING = logging_from_env(os.environ, default_format="json")  # noqa: F405
