"""Configuration mistakes found by ``manage.py check``; most only with ``--deploy``."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def client_addresses_behind_a_proxy(app_configs, **kwargs):
    """Behind a proxy without trusting it, every reader has the proxy's address."""
    behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))
    trusted = settings.UKIYO_TRUSTED_PROXY_COUNT or settings.UKIYO_TRUSTED_CLIENT_IP_HEADER
    if behind_proxy and not trusted:
        return [
            checks.Warning(
                "ukiyo runs behind a proxy (SECURE_PROXY_SSL_HEADER) but neither "
                "TRUSTED_PROXY_COUNT nor TRUSTED_CLIENT_IP_HEADER is set: every client has the "
                "proxy's address, so the failed-login and contact-form limits per address "
                "apply to all readers at once.",
                hint="Set TRUSTED_PROXY_COUNT=1 behind one proxy (docs/configuration.md).",
                id="ukiyo.W001",
            )
        ]
    return []


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_for_rate_limits(app_configs, **kwargs):
    """Rate limits counted in process memory multiply with the number of processes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "The cache is in each process's memory (CACHE_URL=locmem://): with several "
                "server processes, each counts failed logins, contact messages and searches "
                "on its own.",
                hint="Set CACHE_URL to redis://... or db://table (docs/configuration.md).",
                id="ukiyo.W002",
            )
        ]
    return []


@checks.register(checks.Tags.caches, deploy=True)
def shared_page_cache(app_configs, **kwargs):
    """A change seen by one process's page cache only: the others keep serving the old page."""
    alias = getattr(settings, "UKIYO_PAGE_CACHE_ALIAS", "pages")
    if alias not in settings.CACHES:
        return []
    if settings.CACHES[alias]["BACKEND"].endswith("LocMemCache"):
        return [
            checks.Warning(
                "The page cache is in each process's memory (locmem://): with several server "
                "processes, a change makes the cached pages and their shared header, footer "
                "and cookie banner stale only in the process that made it; the others keep "
                "serving the old ones.",
                hint="Set PAGE_CACHE_URL (or CACHE_URL) to redis://... or db://table, or run "
                'one server process (docs/configuration.md, "Caching").',
                id="ukiyo.W003",
            )
        ]
    return []


@checks.register()
def search_rate_limit(app_configs, **kwargs):
    from django.core.exceptions import ImproperlyConfigured

    from .ratelimit import parse_rate

    try:
        parse_rate(settings.UKIYO_SEARCH_RATE_LIMIT, "UKIYO_SEARCH_RATE_LIMIT (SEARCH_RATE_LIMIT)")
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="ukiyo.E020")]
    if settings.UKIYO_SEARCH_MAX_TERMS < 1 or settings.UKIYO_SEARCH_MAX_LENGTH < 1:
        return [
            checks.Error(
                "UKIYO_SEARCH_MAX_TERMS and UKIYO_SEARCH_MAX_LENGTH must be at least 1.",
                id="ukiyo.E021",
            )
        ]
    if settings.UKIYO_SEARCH_RECENT_PAGES < 0:
        return [
            checks.Error(
                "UKIYO_SEARCH_RECENT_PAGES (SEARCH_RECENT_PAGES) must be 0 or more.",
                id="ukiyo.E022",
            )
        ]
    return []


@checks.register()
def frontend_caches(app_configs, **kwargs):
    """Each cache a change purges can be reached by its backend: a mistake in a hand-written
    ``WAGTAILFRONTENDCACHE`` shows now, not as purges that fail after publishing."""
    from wagtail.contrib.frontend_cache.utils import get_backends

    errors = []
    if getattr(settings, "WAGTAILAPI_USE_FRONTENDCACHE", False):
        errors.append(
            checks.Error(
                "WAGTAILAPI_USE_FRONTENDCACHE is on: Wagtail would then look up its own API's "
                "page URLs on every publication, and ukiyo's API v2 is not mounted under "
                "Wagtail's names, so every publication would fail.",
                hint="Remove the setting: ukiyo purges what a change touches itself.",
                id="ukiyo.E030",
            )
        )
    for name, config in (getattr(settings, "WAGTAILFRONTENDCACHE", None) or {}).items():
        try:
            get_backends({name: config})
        except Exception as error:  # any reason a backend cannot be built is the same mistake
            errors.append(
                checks.Error(
                    f"WAGTAILFRONTENDCACHE[{name!r}] cannot purge: {error}",
                    hint="See docs/configuration.md, 'CDN and Varnish'.",
                    id="ukiyo.E031",
                )
            )
    return errors
