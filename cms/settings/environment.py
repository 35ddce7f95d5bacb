"""Reading the environment into settings: booleans, lists, the read replica, the cache, the
machine translator, the frontend caches (CDNs, Varnish) to purge, the storage of uploaded
files, the logs.

Settings name application code by dotted path only (``"translations.machine.OfflineTranslator"``),
as Django's own settings do: importing it here would load the apps before they are configured.
"""

import importlib.util
import os
import re
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

DEEPL = "wagtail_localize.machine_translators.deepl.DeepLTranslator"
LIBRETRANSLATE = "wagtail_localize.machine_translators.libretranslate.LibreTranslator"
OFFLINE = "translations.machine.OfflineTranslator"
POSTGRESQL = "django.db.backends.postgresql"
HTTP_PURGE = "core.frontend_cache.HTTPPurgeBackend"
LOG_FORMATTERS = {"json": "core.logs.JsonFormatter", "text": "core.logs.TextFormatter"}
CLOUDFLARE = "core.frontend_cache.CloudflareBackend"
CLOUDFRONT = "core.frontend_cache.CloudFrontBackend"
FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
OBJECT_STORAGE = "core.storage.MediaStorage"
# S3's canned ACLs (MinIO and Spaces know them too; R2 ignores ACLs).
CANNED_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
)
# S3's rules for a bucket name (3-63 lowercase letters, digits, dots, hyphens), with the
# underscores some S3-compatible servers allow.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")
SHARED_REDIS = "core.sharedcache.RedisCache"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A release's name: what a build id, a date or a commit is written with.
RELEASE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")


def release_from_env(environ):
    """The name of the running release (``RELEASE``), or "" when none is given.

    It becomes part of the page cache's keys, which must stay short and plain: anything but
    1-64 letters, digits, dots, hyphens, underscores and plus signs stops the start.
    """
    release = environ.get("RELEASE", "").strip()
    if release and not RELEASE_NAME.fullmatch(release):
        raise ImproperlyConfigured(
            f"RELEASE must be 1-64 letters, digits and ._+- (a build id, a date, a commit), "
            f"not {release!r}."
        )
    return release


def url_origin(url):
    """The origin of an absolute (or scheme-relative, taken as https) URL; None for a path.

    MEDIA_URL or STATIC_URL on another host (a CDN, object storage) must be allowed by the
    Content-Security-Policy: this is the source expression to add.
    """
    parts = urlsplit(url or "")
    if not parts.netloc:
        return None
    return f"{parts.scheme or 'https'}://{parts.netloc}"


def replica_database(url, primary, conn_max_age=0):
    """The read replica's entry of ``DATABASES`` from ``DATABASE_REPLICA_URL``.

    A standby of the primary's PostgreSQL: ukiyo asks it how far it has replayed the
    primary's WAL (``core.databases``), so both must be PostgreSQL. It is given up on after
    ``connect_timeout`` seconds (3 unless the URL says otherwise): readers then read the
    primary. Tests never create it: it mirrors the primary's test database.
    """
    if primary["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs PostgreSQL: DATABASE_URL must name the primary "
            "(postgres://...)."
        )
    try:
        replica = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except Exception as error:
        # Not the URL itself in the message: it may hold a password.
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a database URL ({type(error).__name__})."
        ) from None
    if replica["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a PostgreSQL server (postgres://...)."
        )
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    replica["TEST"] = {"MIRROR": "default"}
    return replica


def cache_from_url(url, retry_interval=None):
    """Django's cache settings from ``locmem://``, ``redis://host:6379/0`` or ``db://table``.

    Redis goes through ``core.sharedcache.RedisCache``: pages still render while it is out of
    reach. ``retry_interval`` (``CACHE_RETRY_INTERVAL``): seconds a process works without it
    after failing to reach it; its socket timeouts are query parameters of the URL
    (``?socket_timeout=0.5``, redis-py's).
    """
    scheme, _, rest = url.partition("://")
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    if scheme in {"redis", "rediss"}:
        cache = {"BACKEND": SHARED_REDIS, "LOCATION": url}
        if retry_interval not in (None, ""):
            cache["OPTIONS"] = {"retry_interval": seconds_from(retry_interval)}
        return cache
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest}
    raise ValueError(f"CACHE_URL: unknown cache {url!r} (use locmem://, redis:// or db://)")


def seconds_from(value, name="CACHE_RETRY_INTERVAL"):
    """A number of seconds from the environment: more than 0, at most an hour."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise ImproperlyConfigured(
            f"{name} must be a number of seconds (0 < s <= 3600), not {value!r}."
        )
    return seconds


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


def http_url_parts(url):
    """``urlsplit(url)`` of an ``http(s)`` URL with a host (and a numeric port, if any), with
    no user, query or fragment; None for anything else."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
    ):
        return None
    return parts


def media_storage_from_env(environ):
    """``(storage, media_url)``: where uploaded images and documents are kept, and the address
    readers' browsers load them from (``STORAGES["default"]`` and ``MEDIA_URL``).

    Without ``MEDIA_BUCKET``, files stay in ``MEDIA_ROOT`` on this machine, at ``/media/``.
    With it, in that bucket of an S3-compatible object storage, shared by every app server:

    - ``MEDIA_ENDPOINT_URL``: the S3 API of a service other than AWS (MinIO, Cloudflare R2,
      DigitalOcean Spaces), e.g. ``https://<account>.r2.cloudflarestorage.com``;
    - ``MEDIA_REGION``: the bucket's region (``auto`` for R2);
    - ``MEDIA_CUSTOM_DOMAIN``: where readers fetch the files instead of the S3 API's own
      address, a CDN or the bucket's public domain: ``media.news.example`` (HTTPS) or a URL
      with its scheme and an optional path, ``https://cdn.news.example/media``;
    - ``MEDIA_ACL``: the canned ACL given to images, e.g. ``public-read``; documents always
      get ``private``. Unset: no ACL is sent, the bucket's policy decides.

    The credentials come from boto3's usual places (``AWS_ACCESS_KEY_ID`` and
    ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role). A value that cannot work stops
    the start with ``ImproperlyConfigured`` naming the variable.
    """

    def value(name):
        return environ.get(name, "").strip()

    bucket = value("MEDIA_BUCKET")
    others = [
        name
        for name in ("MEDIA_ENDPOINT_URL", "MEDIA_REGION", "MEDIA_CUSTOM_DOMAIN", "MEDIA_ACL")
        if value(name)
    ]
    if not bucket:
        if others:
            raise ImproperlyConfigured(
                f"{', '.join(others)} set without MEDIA_BUCKET: name the bucket that keeps the "
                "uploaded files as well, or unset them to keep the files in MEDIA_ROOT."
            )
        return {"BACKEND": FILE_SYSTEM_STORAGE}, "/media/"
    if not BUCKET_NAME.fullmatch(bucket) or ".." in bucket:
        raise ImproperlyConfigured(
            f"MEDIA_BUCKET: {bucket!r} is not a bucket name (3 to 63 lowercase letters, digits, "
            "dots and hyphens, e.g. ukiyo-media): give the name alone, without s3:// or a path."
        )
    options = {"bucket_name": bucket}

    endpoint = value("MEDIA_ENDPOINT_URL").rstrip("/")
    if endpoint:
        parts = http_url_parts(endpoint)
        if parts is None or parts.path:
            raise ImproperlyConfigured(
                f"MEDIA_ENDPOINT_URL: {endpoint!r} is not the address of an S3 API: give its "
                "scheme, host and port only, e.g. https://nyc3.digitaloceanspaces.com"
            )
        options["endpoint_url"] = endpoint

    region = value("MEDIA_REGION")
    if region:
        if not re.fullmatch(r"[a-z0-9-]+", region):
            raise ImproperlyConfigured(
                f"MEDIA_REGION: {region!r} is not a region name (e.g. eu-west-1, or auto for R2)."
            )
        options["region_name"] = region

    acl = value("MEDIA_ACL")
    if acl:
        if acl not in CANNED_ACLS:
            raise ImproperlyConfigured(
                f"MEDIA_ACL: {acl!r} is not a canned ACL: use one of {', '.join(CANNED_ACLS)}."
            )
        options["default_acl"] = acl

    domain = value("MEDIA_CUSTOM_DOMAIN").rstrip("/")
    if domain:
        parts = http_url_parts(domain if "://" in domain else f"https://{domain}")
        if parts is None:
            raise ImproperlyConfigured(
                f"MEDIA_CUSTOM_DOMAIN: {domain!r} is not a domain readers can load files from: "
                "give a host (media.news.example) or a URL with an optional path "
                "(https://cdn.news.example/media)."
            )
        options["custom_domain"] = parts.netloc + parts.path.rstrip("/")
        options["url_protocol"] = f"{parts.scheme}:"
        media_url = f"{parts.scheme}://{options['custom_domain']}/"
    elif endpoint:
        # Any endpoint other than AWS's is addressed by path: <endpoint>/<bucket>/<key>.
        media_url = f"{endpoint}/{bucket}/"
    elif "." in bucket or "_" in bucket:
        # A name that is not one DNS label cannot be a host name: AWS addresses it by path.
        media_url = f"https://s3.amazonaws.com/{bucket}/"
    else:
        media_url = f"https://{bucket}.s3.amazonaws.com/"

    return {"BACKEND": OBJECT_STORAGE, "OPTIONS": options}, media_url


def serve_media_from_env(environ, default, storage):
    """``UKIYO_SERVE_MEDIA``: whether ukiyo answers ``/media/`` itself (``SERVE_MEDIA``).

    It serves files from ``MEDIA_ROOT``; with object storage the bucket (or the CDN in front
    of it) serves them, and asking ukiyo to would answer 404 for every image.
    """
    asked = environ.get("SERVE_MEDIA")
    serve = default if asked is None else asked.strip().lower() in {"1", "true", "yes", "on"}
    if storage["BACKEND"] == FILE_SYSTEM_STORAGE:
        return serve
    if asked is not None and serve:
        raise ImproperlyConfigured(
            "SERVE_MEDIA serves uploaded images from MEDIA_ROOT, but MEDIA_BUCKET keeps them in "
            "object storage: unset SERVE_MEDIA, the bucket (or a CDN in front) serves them."
        )
    return False


def logging_from_env(environ, default_format):
    """The ``LOGGING`` setting: every logger to standard error, in ``LOG_FORMAT`` (``json`` or
    ``text``, else ``default_format``), each record with its request's id; ``LOG_LEVEL``
    for everything, ``WAGTAIL_LOG_LEVEL`` for Wagtail's page actions."""
    log_format = environ.get("LOG_FORMAT", "").strip().lower() or default_format
    if log_format not in LOG_FORMATTERS:
        raise ImproperlyConfigured(f"LOG_FORMAT: use json or text, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.logs.RequestIdFilter"},
            "quiet_database_outage": {"()": "core.logs.QuietDatabaseOutageFilter"},
        },
        "formatters": {"default": {"()": LOG_FORMATTERS[log_format]}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": environ.get("LOG_LEVEL", "INFO")},
        "loggers": {
            # One line per background task and per page action is noise on the console.
            "django_tasks": {"level": "WARNING"},
            "wagtail": {"level": environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
            # A 503 of a database outage: a warning line per request, no traceback.
            "django.request": {"filters": ["quiet_database_outage"]},
        },
    }
