"""Reading the environment into settings: booleans, lists, the cache, the machine translator,
the frontend caches (CDNs, Varnish) to purge.

Settings name application code by dotted path only (``"translations.machine.OfflineTranslator"``),
as Django's own settings do: importing it here would load the apps before they are configured.
"""

import importlib.util
import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEEPL = "wagtail_localize.machine_translators.deepl.DeepLTranslator"
LIBRETRANSLATE = "wagtail_localize.machine_translators.libretranslate.LibreTranslator"
OFFLINE = "translations.machine.OfflineTranslator"
HTTP_PURGE = "core.frontend_cache.HTTPPurgeBackend"
CLOUDFLARE = "core.frontend_cache.CloudflareBackend"
CLOUDFRONT = "core.frontend_cache.CloudFrontBackend"


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


def frontend_cache_from_env(environ):
    """The ``WAGTAILFRONTENDCACHE`` setting: the caches in front of ukiyo that a change purges.

    Any of these, together:

    - ``FRONTEND_CACHE_PURGE_URL``: Varnish or nginx, sent an HTTP ``PURGE`` per URL; several
      caches comma-separated (``http://10.0.0.5:6081,http://10.0.0.6:6081``);
    - ``CLOUDFLARE_ZONE_ID`` with ``CLOUDFLARE_API_TOKEN`` (a token allowed "Cache Purge"),
      or with ``CLOUDFLARE_EMAIL`` and ``CLOUDFLARE_API_KEY`` (the account's global key);
    - ``CLOUDFRONT_DISTRIBUTION_ID`` (needs boto3; its credentials come from boto3's usual
      places: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile, an instance role).

    None of them: an empty setting, nothing is purged. A value that cannot work, or half of a
    pair, stops the start with ``ImproperlyConfigured`` naming the variable: a purge that
    silently never happens would leave readers on old pages until the CDN lets them expire.
    """

    def value(name):
        return environ.get(name, "").strip()

    backends = {}

    purge_urls = [url.strip() for url in value("FRONTEND_CACHE_PURGE_URL").split(",")]
    purge_urls = [url for url in purge_urls if url]
    for number, url in enumerate(purge_urls, start=1):
        parts = urlsplit(url)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.hostname
            or parts.path not in {"", "/"}
            or parts.query
            or parts.fragment
        ):
            raise ImproperlyConfigured(
                f"FRONTEND_CACHE_PURGE_URL: {url!r} is not the address of a cache: give its "
                "scheme, host and port only, e.g. http://127.0.0.1:6081"
            )
        name = "http" if len(purge_urls) == 1 else f"http-{number}"
        backends[name] = {"BACKEND": HTTP_PURGE, "LOCATION": f"{parts.scheme}://{parts.netloc}"}

    zone = value("CLOUDFLARE_ZONE_ID")
    token = value("CLOUDFLARE_API_TOKEN")
    email = value("CLOUDFLARE_EMAIL")
    key = value("CLOUDFLARE_API_KEY")
    if zone or token or email or key:
        if not zone:
            raise ImproperlyConfigured(
                "CLOUDFLARE_API_TOKEN, CLOUDFLARE_EMAIL or CLOUDFLARE_API_KEY is set without "
                "CLOUDFLARE_ZONE_ID: set the zone whose cache to purge as well."
            )
        if not re.fullmatch(r"[0-9a-f]{32}", zone):
            raise ImproperlyConfigured(
                f"CLOUDFLARE_ZONE_ID: {zone!r} is not a zone id (32 hexadecimal digits, shown "
                "on the zone's Overview page)."
            )
        if token and (email or key):
            raise ImproperlyConfigured(
                "Set either CLOUDFLARE_API_TOKEN or CLOUDFLARE_EMAIL with CLOUDFLARE_API_KEY, "
                "not both."
            )
        if token:
            backends["cloudflare"] = {"BACKEND": CLOUDFLARE, "ZONEID": zone, "BEARER_TOKEN": token}
        elif email and key:
            backends["cloudflare"] = {
                "BACKEND": CLOUDFLARE,
                "ZONEID": zone,
                "EMAIL": email,
                "API_KEY": key,
            }
        else:
            raise ImproperlyConfigured(
                "CLOUDFLARE_ZONE_ID needs credentials: CLOUDFLARE_API_TOKEN (an API token "
                "allowed to purge the zone's cache), or CLOUDFLARE_EMAIL with CLOUDFLARE_API_KEY."
            )

    distribution = value("CLOUDFRONT_DISTRIBUTION_ID")
    if distribution:
        if not re.fullmatch(r"[A-Z0-9]+", distribution):
            raise ImproperlyConfigured(
                f"CLOUDFRONT_DISTRIBUTION_ID: {distribution!r} is not a distribution id "
                "(capital letters and digits, e.g. E2QWRUHAPOMQZL)."
            )
        if importlib.util.find_spec("boto3") is None:
            raise ImproperlyConfigured(
                "CLOUDFRONT_DISTRIBUTION_ID is set, but boto3 (the AWS client that purges "
                "CloudFront) is not installed: pip install boto3."
            )
        backends["cloudfront"] = {"BACKEND": CLOUDFRONT, "DISTRIBUTION_ID": distribution}

    return backends
