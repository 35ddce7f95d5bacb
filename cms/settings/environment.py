"""Reading the environment into settings: booleans, lists, the cache, the machine translator.

Settings name application code by dotted path only (``"translations.machine.OfflineTranslator"``),
as Django's own settings do: importing it here would load the apps before they are configured.
"""

import os
from urllib.parse import urlsplit

DEEPL = "wagtail_localize.machine_translators.deepl.DeepLTranslator"
LIBRETRANSLATE = "wagtail_localize.machine_translators.libretranslate.LibreTranslator"
OFFLINE = "translations.machine.OfflineTranslator"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def url_origin(url):
    """The origin of an absolute (or scheme-relative, taken as https) URL; None for a path.

    MEDIA_URL or STATIC_URL on another host (a CDN, object storage) must be allowed by the
    Content-Security-Policy: this is the source expression to add.
    """
    parts = urlsplit(url or "")
    if not parts.netloc:
        return None
    return f"{parts.scheme or 'https'}://{parts.netloc}"


def cache_from_url(url):
    """Django's cache settings from ``locmem://``, ``redis://host:6379/0`` or ``db://table``."""
    scheme, _, rest = url.partition("://")
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    raise ValueError(f"CACHE_URL: unknown cache {url!r} (use locmem://, redis:// or db://)")


def machine_translator_from_env(environ):
    """The ``WAGTAILLOCALIZE_MACHINE_TRANSLATOR`` setting for these environment variables.

    ``DEEPL_API_KEY`` wins, then ``LIBRETRANSLATE_URL`` (with ``LIBRETRANSLATE_API_KEY`` when
    the server wants one); without either, the offline translator, so the demo and the tests
    never call the network. ``MACHINE_TRANSLATION_TIMEOUT`` (seconds) bounds each request.
    """
    options = {}
    timeout = environ.get("MACHINE_TRANSLATION_TIMEOUT", "").strip()
    if timeout:
        options["TIMEOUT"] = int(timeout)

    deepl_key = environ.get("DEEPL_API_KEY", "").strip()
    if deepl_key:
        # DeepL's free-tier keys end in ":fx"; the translator picks the matching endpoint.
        return {"CLASS": DEEPL, "OPTIONS": {**options, "AUTH_KEY": deepl_key}}

    libretranslate_url = environ.get("LIBRETRANSLATE_URL", "").strip().rstrip("/")
    if libretranslate_url:
        return {
            "CLASS": LIBRETRANSLATE,
            "OPTIONS": {
                **options,
                "LIBRETRANSLATE_URL": libretranslate_url,
                # The translator always sends a key; self-hosted servers accept an empty one.
                "API_KEY": environ.get("LIBRETRANSLATE_API_KEY", "").strip(),
            },
        }

    return {"CLASS": OFFLINE, "OPTIONS": {}}
