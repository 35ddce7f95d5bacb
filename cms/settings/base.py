"""Settings shared by every environment.

Everything that differs between a laptop and production comes from the environment
(12-factor); the per-environment modules only change defaults.
"""

import os
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as default_cors_headers
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from .environment import (
    cache_from_url,
    env_bool,
    env_list,
    frontend_cache_from_env,
    logging_from_env,
    machine_translator_from_env,
    media_storage_from_env,
    release_from_env,
    replica_database,
    serve_media_from_env,
    url_origin,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form that fails the CSRF check gets the site's own 403 page, in the reader's language.
CSRF_FAILURE_VIEW = "cms.views.csrf_failure"

# ukiyo's apps by layer, bottom first (docs/architecture.md). ``api`` must come before the
# domain apps and the wagtail apps: its ready() types the StreamFields of API v3 before Wagtail
# builds the page schemas, and the domain apps then register their API pieces.
INSTALLED_APPS = [
    "core",
    "preview",
    "api",
    "home",
    "news",
    "search",
    "changes",
    "accounts",
    "consent",
    "translations",
    "webhooks",
    "discovery",
    "newsroom",
    "demo",
    # The project package: its migrations hold the history of models that moved to core,
    # preview and changes.
    "cms",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales (same app label)
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    # wagtail.snippets, wagtail.documents and wagtail.images, their API v3 schemas built in
    # English (api.wagtail_apps).
    "api.wagtail_apps.SnippetsConfig",
    "api.wagtail_apps.DocumentsConfig",
    "api.wagtail_apps.ImagesConfig",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail.api.v3",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "ninja",  # serves the assets of /api/v3/docs/
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "corsheaders",
    "csp",
    "django_tasks_db",  # the queues of the "worker" task backend
]

MIDDLEWARE = [
    # /healthz and /readyz, before anything that could refuse, redirect, cache or log them
    # (see "Operations" below).
    "core.middleware.HealthCheckMiddleware",
    # The request's id (X-Request-ID) on every log line of the request, and its own line.
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy (see "Security headers" below).
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    # A reader's page kept in the page cache answers here, before the middleware it does not
    # need (it reads cookies, never a session or a user); a miss goes on to
    # PageCacheMiddleware below, which renders and keeps it.
    "core.middleware.CachedPageMiddleware",
    # Static files answer here, compressed once by collectstatic (gzip).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON, on their way out: compressed when they hold no secret (see the class).
    # A page cache that stores answers belongs above it: it then keeps them compressed (its key
    # telling gzip clients from others), and a hit costs no compression (~1 ms for 45 KB).
    "core.middleware.PublicGZipMiddleware",
    # Before anything that can answer: preflight requests get their CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",
    # Before anything reads a body (CSRF reads forms), after the language is known (its 413).
    "core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # With a read replica: which database the request reads (core.databases), decided
    # once the user is known (an editor reads the primary).
    "core.middleware.ReadReplicaMiddleware",
    # The page editor's autosave and preview checks keep Wagtail's rules for drafts
    # (core.editing).
    "core.middleware.EditorBackgroundMiddleware",
    # Anonymous readers' pages rendered and kept (see "Page cache" below): inside the session,
    # language, authentication and messages middleware, outside the one that marks personal
    # pages private (never kept). A page from the cache (CachedPageMiddleware, further out)
    # gets a fresh nonce, which the Content-Security-Policy middleware puts in the header.
    "core.middleware.PageCacheMiddleware",
    "core.middleware.PrivateResponseMiddleware",
    # What only the API needs (no session, its language, HTTP caching) wraps the API's views:
    # api.urls.
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # An account action that cannot be counted while the shared cache is out of reach: 503
    # with Retry-After (docs/configuration.md, "Redis").
    "accounts.middleware.RateLimitOutageMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.site_chrome",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# SQLite in the project folder unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# --- Read replica (core.databases; docs/configuration.md, "Read replica") -------------
# A PostgreSQL standby of the primary: anonymous readers' pages and the API's anonymous reads
# go to it, everything else to the primary. Without DATABASE_REPLICA_URL the router answers
# nothing and the middleware does nothing: one database, as before.
if _replica_url := os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = replica_database(
        _replica_url,
        DATABASES["default"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
DATABASE_ROUTERS = ["core.databases.ReplicaRouter"]
# Seconds a browser that wrote (a POST that saved something) keeps reading the primary: what
# it wrote is there before the replica has replayed it.
UKIYO_REPLICA_STICKY_SECONDS = int(os.environ.get("DATABASE_REPLICA_STICKY_SECONDS", "10"))
# Seconds the replica is left alone after it could not be read (its readers read the primary).
UKIYO_REPLICA_RETRY_SECONDS = int(os.environ.get("DATABASE_REPLICA_RETRY_SECONDS", "10"))
# Paths that always read the primary: the admin, and the previews a frontend fetches right
# after the admin stored them.
UKIYO_REPLICA_PRIMARY_PATHS = ["/admin/", "/api/v2/preview/", "/api/v3/preview/"]
# --- SQLite: requests and the webhook worker share one file ------------------------
# The worker (db_worker) takes the write lock every second. A transaction that reads first
# and writes later (Django's default, DEFERRED) then cannot get the lock and SQLite fails it
# at once with "database is locked": waiting could deadlock, so its busy timeout is not used.
# IMMEDIATE takes the write lock when the transaction begins, where a busy writer is waited
# for (up to "timeout" seconds); WAL lets readers go on while someone writes. Options given
# in DATABASE_URL (?timeout=...) win.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
# --- PostgreSQL: no JIT compilation ------------------------------------------------
# PostgreSQL compiles a plan to machine code when its estimated cost passes jit_above_cost:
# for the short queries of a web request that costs more than it saves (60-90 ms added to a
# search of 100,000 article pages when it happens). Asked for when connecting; POSTGRES_JIT=on
# sends nothing and keeps the server's setting (behind pgbouncer, which does not pass the
# option on: turn JIT off on the server, docs/configuration.md "Database connections").
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql" and not env_bool("POSTGRES_JIT"):
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    # Behind pgbouncer in transaction pooling, a server-side cursor (QuerySet.iterator()) could
    # outlive its transaction's server connection: DISABLE_SERVER_SIDE_CURSORS=true.
    _database["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS")
# --- PostgreSQL: give up connecting after a few seconds ---------------------------------
# A server that cannot be reached (a firewall drops the packets, a failover moves its
# address) would otherwise hold each request for the operating system's TCP timeout, minutes,
# until gunicorn kills the process: the reader gets a 503 page after this many seconds
# instead (see "Operations" below). connect_timeout in DATABASE_URL wins.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )
# ------------------------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared between processes when CACHE_URL names a server; rate limits (failed logins, the
# contact form) count in this cache. locmem:// counts per process. Redis out of reach: pages
# render without it, and each limit fails open or closed (docs/configuration.md, "Redis").
_cache_retry_interval = os.environ.get("CACHE_RETRY_INTERVAL")
CACHES = {
    "default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"), _cache_retry_interval)
}

# --- Page cache (core.pagecache; docs/configuration.md, "Caching") -------------------
# Anonymous readers' pages, kept until what they show changes. Their own cache: pages must
# not push the rate limits' counters out of a full cache. PAGE_CACHE_URL (default: CACHE_URL)
# must be shared by every server process (redis://): a change made in one process makes the
# pages stale for all of them only there. locmem:// suits one process (runserver, the demo).
_page_cache_url = os.environ.get("PAGE_CACHE_URL") or os.environ.get("CACHE_URL", "locmem://")
CACHES["pages"] = {
    **cache_from_url(_page_cache_url, _cache_retry_interval),
    "KEY_PREFIX": "ukiyo-pages",
    "TIMEOUT": None,
}
if _page_cache_url.startswith("locmem://"):
    CACHES["pages"]["LOCATION"] = "ukiyo-pages"
    CACHES["pages"]["OPTIONS"] = {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "1000"))}
UKIYO_PAGE_CACHE = env_bool("PAGE_CACHE", True)
UKIYO_PAGE_CACHE_ALIAS = "pages"
# Pages each server process also keeps in its own memory (the ones it served last): a hit on
# one reads only its tags from the shared cache. Pointless over locmem://, which is already
# the process's memory.
UKIYO_PAGE_CACHE_LOCAL_ENTRIES = int(
    os.environ.get(
        "PAGE_CACHE_LOCAL_ENTRIES", "0" if _page_cache_url.startswith("locmem://") else "100"
    )
)
# The running release (RELEASE: a build id, a date, a commit): part of the key of every kept
# page, part and piece, so that while a deployment restarts the servers one at a time, the
# servers of each release serve only what their own code rendered, and the new release starts
# from pages of its own without anyone emptying the cache. The tags are shared: a change
# published on a server of either release makes the pages of both stale.
UKIYO_RELEASE = release_from_env(os.environ)
# Feeds (discovery.feeds): each item with the whole article as HTML, not only its summary.
UKIYO_FEEDS_FULL_CONTENT = env_bool("FEEDS_FULL_CONTENT", False)
# Anonymous API reads of pages and article cards, kept whole in the same store until what
# they show changes (api.kept); off: every read is built (its shared pieces still kept).
UKIYO_API_KEPT_ANSWERS = env_bool("API_KEPT_ANSWERS", True)
# Seconds a kept page lives at most (a change makes it stale at once; this bounds what no
# change announces: the year in the footer).
UKIYO_PAGE_CACHE_TIMEOUT = int(os.environ.get("PAGE_CACHE_TIMEOUT", "86400"))
# Cache-Control of anonymous readers' pages: browsers (max-age), shared caches and CDNs
# (s-maxage: a CDN that is not purged is this late at most), and how long a CDN may serve a
# stale copy while it fetches a new one.
UKIYO_PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))
UKIYO_PAGE_CACHE_S_MAXAGE = int(os.environ.get("PAGE_CACHE_S_MAXAGE", "300"))
UKIYO_PAGE_CACHE_STALE_WHILE_REVALIDATE = int(
    os.environ.get("PAGE_CACHE_STALE_WHILE_REVALIDATE", "60")
)
# The views whose pages are kept (Wagtail's pages, search), paths under the language prefix
# never looked up (forms and personal pages), the query parameters pages read (part of the
# key), and tracking parameters no page reads (dropped; utm_* too). Any other parameter:
# the page is rendered, not kept.
UKIYO_PAGE_CACHE_VIEWS = [
    "wagtail_serve",
    "search",
    "feed_rss",
    "feed_atom",
    "category_feed_rss",
    "category_feed_atom",
    "author_feed_rss",
    "author_feed_atom",
    "corrections",
    "author",
]
UKIYO_PAGE_CACHE_EXCLUDED_PATHS = ["accounts/", "cookie-settings/"]
UKIYO_PAGE_CACHE_PARAMS = ["page", "category", "q", "sort"]
UKIYO_PAGE_CACHE_IGNORED_PARAMS = [
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "ref_src",
]
# ------------------------------------------------------------------------------------

# Behind a reverse proxy: how many proxies of ours append to X-Forwarded-For, or the header
# one of them sets to the client's address. Without either, REMOTE_ADDR is the client, and a
# forwarded header a client sends is ignored (it could be forged).
UKIYO_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
UKIYO_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None

# Readers' accounts (django-allauth): e-mail and password, e-mail verified before login.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapter.ReaderAccountAdapter"
# The admin's login lets in only people with admin access, and counts failed logins in the
# same limits as the readers' login.
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"
# One password reset for everyone: the readers' (/<lang>/accounts/password/reset/), which is
# rate-limited and writes in the person's language. Wagtail's would be a second, unlimited one.
WAGTAIL_PASSWORD_RESET_ENABLED = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # Failed logins (see docs/readers.md): 10 a minute from one client address, 5 in 5 minutes
    # for one account from one address or known device (compat.allauth makes the key); and
    # 50 an hour for one account from all other clients together, past which only its known
    # devices and a password reset link get in.
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "50/h/key",
}
LOGIN_REDIRECT_URL = "/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Verify (and upgrade on login) hashes made before Argon2 was the default.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# E-mail: the console unless EMAIL_HOST names an SMTP server (or EMAIL_BACKEND another backend).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ukiyo <noreply@ukiyo.example>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. Japanese is the newsroom's source language.
LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ko", "한국어"),
    ("de", "Deutsch"),
    ("th", "ภาษาไทย"),
    ("hi", "हिन्दी"),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The admin speaks the same nine languages, each named in itself. Wagtail's own list stops at
# languages its catalogs cover well and has no Hindi; locale-vendor/ fills the gaps.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# locale/: ukiyo's own strings (make messages). locale-vendor/: languages a dependency does not
# ship (django-allauth has no Hindi), kept apart so that makemessages never drops them.
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "locale-vendor",
    BASE_DIR / "locale-vendor" / "wagtail",
    BASE_DIR / "locale-vendor" / "wagtail-localize",
]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tokyo")
# The cookie LocaleMiddleware reads; set when a reader picks a language in the menu.
LANGUAGE_COOKIE_NAME = "ukiyo_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
# Where collectstatic gathers the static files that WhiteNoise serves.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded images and documents: in MEDIA_ROOT, or in a bucket of S3-compatible object storage
# that every app server shares when MEDIA_BUCKET is set (core.storage; docs/configuration.md,
# "Media on object storage"). MEDIA_URL is then the bucket's (or its CDN's) address, which the
# Content-Security-Policy below allows images from.
_media_storage, MEDIA_URL = media_storage_from_env(os.environ)
# Whether ukiyo answers /media/ itself (its image folders only: core.media). The development
# server does; in production the web server or object storage should, unless a CDN in front
# caches them (docs/configuration.md, "Compression and cache lifetimes"). Never with a bucket.
UKIYO_SERVE_MEDIA = serve_media_from_env(os.environ, DEBUG, _media_storage)
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads and request bodies (docs/configuration.md, "Uploads and documents").
# Documents only through Wagtail's serve view, which applies a private collection's password
# or login; "redirect" (Wagtail's default for object storage) and "direct" would hand out the
# file's own address, which skips it.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
_MB = 1024 * 1024
WAGTAILDOCS_MAX_UPLOAD_SIZE = int(os.environ.get("DOCUMENT_MAX_UPLOAD_MB", "20")) * _MB
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(os.environ.get("IMAGE_MAX_UPLOAD_MB", "10")) * _MB
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 128_000_000  # Wagtail's default, stated: a decompression bomb
# A form's fields (not its files): the page editor posts a long article's blocks as form
# fields, one per block and several per rich-text block, so both limits sit well above
# Django's defaults (2.5 MB, 1000 fields). Larger bodies answer 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FORM_MAX_BODY_MB", "5")) * _MB
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Uploaded files larger than this go to a temporary file instead of memory (Django's default).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body the admin reads at all (core.middleware.RequestBodyLimitMiddleware):
# an upload at its limit plus the form around it. Public pages read no more than
# DATA_UPLOAD_MAX_MEMORY_SIZE, as none of their forms takes a file; /api/ sets its own.
UKIYO_MAX_REQUEST_BODY = (
    max(WAGTAILDOCS_MAX_UPLOAD_SIZE, WAGTAILIMAGES_MAX_UPLOAD_SIZE) + DATA_UPLOAD_MAX_MEMORY_SIZE
)

# Wagtail
# The editor autosaves an existing page once the editor has stopped typing for two seconds
# (Wagtail's default, half a second, saves between two words and reports a half-typed URL or
# source list as a validation error). New pages are not autosaved (core.wagtail_hooks).
WAGTAIL_AUTOSAVE_INTERVAL = 2000
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "ukiyo journal")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
# Wagtail's database search, each query kept within the search limits below (search.backends).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"avif": "avif", "bmp": "png", "gif": "gif", "webp": "webp"}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILAPI_BASE_URL = os.environ.get("WAGTAILAPI_BASE_URL", WAGTAILADMIN_BASE_URL)
WAGTAILAPI_LIMIT_MAX = 100
# Frontends on other origins that may call the API from a browser (comma-separated, e.g.
# https://app.news.example). Only /api/ answers cross-origin requests; never with cookies.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 86400
# Headers a browser frontend reads from the API's answers (docs/api.md, "CORS"): the ETag to
# revalidate or to send in If-Match, Last-Modified (safelisted, named for clarity), where a
# redirect leads, when to try again (429, 503), the request id to quote in a report, whether
# the answer was kept on the server, the methods a 405 names, and the preview marker.
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "X-API-Cache",
    "Allow",
    "Ukiyo-Preview",
]
# And request headers beyond django-cors-headers' defaults: conditional reads and writes.
CORS_ALLOW_HEADERS = [*default_cors_headers, "if-match", "if-none-match"]
# Seconds anonymous API reads may be reused by browsers and apps, and by shared caches (CDNs),
# by kind of resource (api.caching.API_RESOURCE_KINDS). (0, 0) means "no-cache": stored,
# but revalidated (ETag) before every use.
UKIYO_API_MAX_AGE = int(os.environ.get("API_MAX_AGE", "60"))
UKIYO_API_SHARED_MAX_AGE = int(os.environ.get("API_SHARED_MAX_AGE", "300"))
UKIYO_API_CACHE_LIFETIMES = {
    "content": (UKIYO_API_MAX_AGE, UKIYO_API_SHARED_MAX_AGE),  # pages, listings, find
    "reference": (5 * UKIYO_API_MAX_AGE, 12 * UKIYO_API_SHARED_MAX_AGE),  # snippets, images
    "schema": (3600, 3600),  # the OpenAPI document changes with a deployment only
    "feed": (0, 0),  # the change feed: a client that syncs must see every change
}
# Blocks (stream children and list items, at every depth) one v3 page write may send: more
# answers 422 naming the limit (api.v3.bodies). Request bodies above DATA_UPLOAD_MAX_MEMORY_SIZE
# (Django's default, 2.5 MB) answer 413 (api.limits).
UKIYO_API_MAX_BLOCKS = int(os.environ.get("API_MAX_BLOCKS", "1000"))
# The change feed (changes/): days a change stays readable (`manage.py purge_content_changes`
# deletes older ones; a cursor from before them answers 410 Gone), and seconds within which a
# transaction that records a change is expected to commit: the feed never passes over a change
# younger than that which may still be committing (see changes/feed.py).
UKIYO_CHANGES_RETENTION_DAYS = int(os.environ.get("CHANGES_RETENTION_DAYS", "90"))
UKIYO_CHANGES_SETTLE_SECONDS = int(os.environ.get("CHANGES_SETTLE_SECONDS", "60"))
# Frontends get display HTML with internal links resolved, not database HTML.
WAGTAILAPI_RICH_TEXT_FORMAT = "html"
# Headless preview (preview.tokens, api.preview): the frontend's preview route, e.g.
# https://app.news.example/preview. When set, the admin's preview shows that frontend, which
# reads the previewed state from /api/v2|v3/preview/?token=...; empty keeps the admin's own
# HTML preview. A token (and the state it names) lives this many seconds.
UKIYO_FRONTEND_PREVIEW_URL = os.environ.get("UKIYO_FRONTEND_PREVIEW_URL", "").strip()
UKIYO_PREVIEW_TOKEN_MAX_AGE = int(os.environ.get("UKIYO_PREVIEW_TOKEN_MAX_AGE", "3600"))

# Caches in front of ukiyo (Varnish, nginx, Cloudflare, CloudFront) that a change purges:
# FRONTEND_CACHE_PURGE_URL, CLOUDFLARE_*, CLOUDFRONT_DISTRIBUTION_ID (docs/configuration.md,
# "CDN and Varnish"). Half a configuration stops the start.
WAGTAILFRONTENDCACHE = frontend_cache_from_env(os.environ)
# Each URL is purged as given. Wagtail would also purge it under every other language prefix
# (/ja/x/ → /en/x/, /fr/x/...): pages of other languages have slugs of their own, so those
# URLs are not theirs, and what a change touches in each language is purged by name.
WAGTAILFRONTENDCACHE_LANGUAGES = []

# Rich-text feature sets, named once and passed with ``features=``.
RICH_TEXT_INLINE = ["bold", "italic", "link", "superscript", "subscript"]
RICH_TEXT_PARAGRAPH = [*RICH_TEXT_INLINE, "document-link"]

# wagtail-localize: translations start as drafts; a translator publishes them.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# Machine translation: DeepL with DEEPL_API_KEY, else LibreTranslate with LIBRETRANSLATE_URL
# (and LIBRETRANSLATE_API_KEY), else the offline translator (docs/translators.md).
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = machine_translator_from_env(os.environ)

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# ukiyo's own settings
UKIYO_ARTICLES_PER_PAGE = int(os.environ.get("UKIYO_ARTICLES_PER_PAGE", "12"))
# Numbered pages at the top of All Articles; older articles are paged by date (news.pagination).
UKIYO_ARTICLES_NUMBERED_PAGES = int(os.environ.get("UKIYO_ARTICLES_NUMBERED_PAGES", "20"))
# Who is told about messages sent with the contact form (comma-separated addresses).
UKIYO_CONTACT_RECIPIENTS = env_list("CONTACT_EMAIL")
# Contact form submissions one client address may send: count per seconds.
UKIYO_CONTACT_RATE_LIMIT = os.environ.get("CONTACT_RATE_LIMIT", "5/600")
# Search, on the reader's page and in both APIs (core.searching): the words and characters a
# query may have, and the searches one client address may run (count/seconds, or "off").
UKIYO_SEARCH_MAX_TERMS = int(os.environ.get("SEARCH_MAX_TERMS", "32"))
UKIYO_SEARCH_MAX_LENGTH = int(os.environ.get("SEARCH_MAX_LENGTH", "200"))
UKIYO_SEARCH_RATE_LIMIT = os.environ.get("SEARCH_RATE_LIMIT", "20/60")
# Results by relevance rank the matches among each searched language's newest pages (this
# many); older matches follow, the newest first (core.fulltext.query.recent_first). 0: every
# match is ranked, however many there are.
UKIYO_SEARCH_RECENT_PAGES = int(os.environ.get("SEARCH_RECENT_PAGES", "1000"))

# /robots.txt (discovery.views): the paths crawlers are asked to leave alone ("{language}" is
# each language code in turn): the admin, the API, the language switch, readers' accounts and
# search results (endless combinations of queries, each already noindex). ROBOTS_DISALLOW_ALL
# asks them to read nothing at all and names no sitemap: a staging or preview site.
UKIYO_ROBOTS_DISALLOW = [
    "/admin/",
    "/api/",
    "/i18n/",
    "/{language}/accounts/",
    "/{language}/search/",
]
UKIYO_ROBOTS_DISALLOW_ALL = env_bool("ROBOTS_DISALLOW_ALL")
# IndexNow (discovery.indexnow): with a key, each change of a public page is sent to the
# endpoint by the webhooks' worker (docs/configuration.md, "Robots and sitemaps").
UKIYO_INDEXNOW_KEY = os.environ.get("INDEXNOW_KEY", "").strip()
UKIYO_INDEXNOW_ENDPOINT = os.environ.get("INDEXNOW_ENDPOINT", "https://api.indexnow.org/indexnow")
UKIYO_INDEXNOW_TIMEOUT = float(os.environ.get("INDEXNOW_TIMEOUT", "10"))
# The publisher in structured data (core.structured_data): its logo's URL (default: the
# site's icon) and its profiles elsewhere (schema.org sameAs), comma-separated URLs.
UKIYO_ORGANIZATION_LOGO = os.environ.get("ORGANIZATION_LOGO", "").strip()
UKIYO_ORGANIZATION_SAME_AS = env_list("ORGANIZATION_SAME_AS")

# The consent log (proof of consent, consent.ConsentRecord): days a record is kept before
# purge_consent_records deletes it. 13 months: longer than the six months a choice lasts, so
# that every choice still relied on can be shown, plus time to answer a complaint about it.
UKIYO_CONSENT_LOG_RETENTION_DAYS = int(os.environ.get("CONSENT_LOG_RETENTION_DAYS", "395"))

# Background tasks (docs/configuration.md, "The worker"). Work that talks to other machines
# or may take seconds goes to queues in the database that workers empty
# (`manage.py db_worker --backend worker --queue-name '*'`, as many as wanted): webhook
# deliveries and IndexNow pings ("webhooks"), the renditions a published page's images need
# ("renditions"), and the chunks of a search index rebuilt with --in-worker ("search").
# Publishing never waits for them. Wagtail's own tasks (the search index
# and reference index of the object saved, file deletions) keep running in the request: a
# reader searching for what was just published finds it on the next request.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "worker": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["webhooks", "renditions", "search"],
    },
}
# Webhooks (webhooks/): receivers on private, loopback or link-local addresses (and plain
# http://) are refused unless this is on, so that an admin form cannot aim ukiyo at the
# machines behind it. Development turns it on for receivers on localhost.
UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", DEBUG)
# Attempts per delivery (the first one included) before it is given up.
UKIYO_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "6"))
# Seconds to connect, and then to wait for each read of the answer.
UKIYO_WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
# Days the delivery log keeps finished deliveries.
UKIYO_WEBHOOK_LOG_DAYS = int(os.environ.get("WEBHOOK_LOG_DAYS", "30"))
# --- Webhook outbox: lost deliveries go out without an operator -----------------------
# Seconds a worker's attempt at a delivery may take before it counts as lost with its worker
# (killed mid-attempt) and another worker sends it again. Longer than any attempt: DNS, the
# connection and the reads of the answer (each up to WEBHOOK_TIMEOUT).
UKIYO_WEBHOOK_CLAIM_LEASE = int(os.environ.get("WEBHOOK_CLAIM_LEASE", "120"))
# Seconds between the worker's sweeps for due deliveries that no task will run.
UKIYO_WEBHOOK_SWEEP_INTERVAL = int(os.environ.get("WEBHOOK_SWEEP_INTERVAL", "30"))
# --------------------------------------------------------------------------------------

# --- Operations (docs/deployment.md, "Operations") ------------------------------------
# Logs on standard error: LOG_FORMAT=text (lines to read; production's default is json, one
# JSON object per line), each line with the id of the request it was written in
# (core.logs). One line per request (core.middleware.RequestLogMiddleware) unless
# REQUEST_LOG is off.
LOGGING = logging_from_env(os.environ, default_format="text")
UKIYO_REQUEST_LOG = env_bool("REQUEST_LOG", True)
# /readyz (core.health): each check by the name it has in the answer, a function that raises
# when its service cannot be used: the database, the caches, the storage of uploaded files
# (the bucket or MEDIA_ROOT). Each check gets this many seconds.
UKIYO_READINESS_CHECKS = {
    "database": "core.health.check_database",
    "cache": "core.health.check_cache",
    "storage": "core.health.check_storage",
}
UKIYO_READINESS_TIMEOUT = float(os.environ.get("READINESS_TIMEOUT", "2"))
# While the database cannot be reached, readers and API clients get a 503 that asks them to
# come back after this many seconds (Retry-After; cms.views.server_error).
UKIYO_DATABASE_RETRY_AFTER = int(os.environ.get("DATABASE_RETRY_AFTER", "10"))
# --------------------------------------------------------------------------------------

FORMAT_MODULE_PATH = ["cms.formats"]

# Security headers (core.middleware). Content-Security-Policy through django-csp: public pages
# run only the scripts that carry the response's nonce (ukiyo's own, and the consent scripts
# that consent.js starts for a reader who allowed their category), and load from the site, its
# file hosts and the hosts the operator adds (CSP_*_SRC, comma-separated). The admin has a
# policy of its own (Wagtail's inline scripts carry no nonce), the API's JSON one that allows
# nothing (UKIYO_CSP_ADMIN_DIRECTIVES, UKIYO_CSP_API_DIRECTIVES). CSP_REPORT_ONLY=true sends
# every policy as Content-Security-Policy-Report-Only: violations are reported, not blocked.
UKIYO_CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY")
_file_hosts = [
    origin for origin in (url_origin(STATIC_URL), url_origin(MEDIA_URL)) if origin is not None
]
_report_uri = env_list("CSP_REPORT_URI")
UKIYO_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE, *_file_hosts, *env_list("CSP_SCRIPT_SRC")],
    "style-src": [SELF, *_file_hosts, *env_list("CSP_STYLE_SRC")],
    "img-src": [SELF, "data:", *_file_hosts, *env_list("CSP_IMG_SRC")],
    "font-src": [SELF, *_file_hosts, *env_list("CSP_FONT_SRC")],
    "media-src": [SELF, *_file_hosts, *env_list("CSP_MEDIA_SRC")],
    "connect-src": [SELF, *env_list("CSP_CONNECT_SRC")],
    # Article embeds (news/templates/news/blocks/embed.html) are the providers' iframes.
    "frame-src": [
        SELF,
        *env_list(
            "CSP_FRAME_SRC",
            "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com",
        ),
    ],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [NONE],  # as X-Frame-Options: DENY
    "report-uri": _report_uri or None,
}
# Editors' avatars in the admin: the picture each uploads in their account settings, else
# Wagtail's default one. GRAVATAR=true looks the others up at Gravatar, which then learns from a
# hash of each editor's address who opens the admin, and when; so it is off unless asked for.
UKIYO_GRAVATAR = env_bool("GRAVATAR")
WAGTAIL_GRAVATAR_PROVIDER_URL = "//www.gravatar.com/avatar" if UKIYO_GRAVATAR else None
UKIYO_CSP_ADMIN_DIRECTIVES = {
    **UKIYO_CSP_DIRECTIVES,
    "script-src": [SELF, UNSAFE_INLINE, *_file_hosts],
    "style-src": [SELF, UNSAFE_INLINE, *_file_hosts],
    # Image previews made in the browser; Gravatar's avatars when they are on.
    "img-src": [
        *UKIYO_CSP_DIRECTIVES["img-src"],
        "blob:",
        *(["www.gravatar.com"] if UKIYO_GRAVATAR else []),
    ],
    "font-src": [*UKIYO_CSP_DIRECTIVES["font-src"], "data:"],
    # Wagtail's check for new releases.
    "connect-src": [*UKIYO_CSP_DIRECTIVES["connect-src"], "https://releases.wagtail.org"],
    "base-uri": [SELF],
    "frame-ancestors": [SELF],  # the preview panel shows admin pages in a frame
}
UKIYO_CSP_API_DIRECTIVES = {
    "default-src": [NONE],
    "frame-ancestors": [NONE],
    "report-uri": _report_uri or None,
}
CONTENT_SECURITY_POLICY = None if UKIYO_CSP_REPORT_ONLY else {"DIRECTIVES": UKIYO_CSP_DIRECTIVES}
CONTENT_SECURITY_POLICY_REPORT_ONLY = (
    {"DIRECTIVES": UKIYO_CSP_DIRECTIVES} if UKIYO_CSP_REPORT_ONLY else None
)
# Permissions-Policy: features no page of ukiyo uses are denied to the page and to every frame
# in it. Features an embedded player asks for (autoplay, fullscreen, encrypted-media,
# picture-in-picture...) keep the browser's default: the page, and frames it allows them to.
UKIYO_PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
