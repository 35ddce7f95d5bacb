"""Purging the caches in front of ukiyo: Varnish or nginx (HTTP ``PURGE``), Cloudflare,
CloudFront.

``WAGTAILFRONTENDCACHE`` (read from the environment: ``cms.settings.environment``) names these
backends. Wagtail's frontend cache app calls them with the URLs to purge: its own signal
handlers with a page's URL when the page is published or unpublished, its redirects app with a
moved page's old URLs, and ukiyo with every URL a change touches. They are Wagtail's backends
with what a newsroom needs on top:

- **After the commit.** A purge sent inside the transaction that publishes would let a reader
  who asks between the purge and the commit put the old page back into the cache, for its
  whole lifetime there. Each backend sends its purges once the transaction has committed (at
  once outside a transaction).
- **Never in the way of publishing.** A cache that is down, slow or refusing is logged
  (``core.frontend_cache``, level ERROR), never raised: the change is saved and live, the
  cache catches up when its copy expires. The first failure ends the batch for that cache, so
  that a cache that does not answer costs one timeout, not one per URL.
- **HTTP purges** (``HTTPPurgeBackend``) replace Wagtail's ``HTTPBackend``, which waits for an
  answer without a time limit, opens a connection per URL, and fails on a path that is not
  ASCII, which is how Wagtail's redirects app names a moved page's old URL
  (``/ja/articles/月面着陸``): here a timeout, one connection per batch, and the path
  percent-encoded as browsers send it.
"""

import http.client
import logging
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.encoding import iri_to_uri
from wagtail.contrib.frontend_cache.backends import base, cloudflare, cloudfront

logger = logging.getLogger(__name__)

# Seconds an HTTP cache has to accept the connection, then to answer each purge.
HTTP_PURGE_TIMEOUT = 5
USER_AGENT = "ukiyo-purge"


def after_commit(send, urls, cache_name):
    """Run ``send(urls)`` once the current transaction commits, logging instead of raising."""

    def guarded():
        try:
            send(urls)
        except Exception:
            logger.exception(
                "Could not purge %d URL(s) from %s: readers may see the old pages until "
                "they expire there.",
                len(urls),
                cache_name,
            )

    transaction.on_commit(guarded)


def request_target(url):
    """The Host header and the percent-encoded path (with its query) that purge ``url``."""
    parts = urlsplit(url)
    host = parts.hostname.encode("idna").decode("ascii")
    if parts.port:
        host = f"{host}:{parts.port}"
    target = iri_to_uri(parts.path or "/")
    if parts.query:
        target += "?" + iri_to_uri(parts.query)
    return host, target


class HTTPPurgeBackend(base.BaseBackend):
    """An HTTP ``PURGE`` per URL, sent to the cache at ``LOCATION`` with the URL's own host.

    Varnish with ``deploy/varnish/ukiyo.vcl`` answers 200; an nginx cache answers 200, or 404
    when it had nothing stored for the URL. Any other answer (403: this address may not
    purge) is logged as a failure.
    """

    def __init__(self, params):
        super().__init__(params)
        location = urlsplit(params["LOCATION"])
        self.scheme = location.scheme
        self.netloc = location.netloc
        self.timeout = params.get("TIMEOUT", HTTP_PURGE_TIMEOUT)

    def __str__(self):
        return f"the cache at {self.scheme}://{self.netloc}"

    def purge(self, url):
        self.purge_batch([url])

    def purge_batch(self, urls):
        after_commit(self.send, list(urls), str(self))

    def connect(self):
        connection_class = (
            http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        )
        return connection_class(self.netloc, timeout=self.timeout)

    def send(self, urls):
        connection = self.connect()
        try:
            for position, url in enumerate(urls):
                left = len(urls) - position - 1
                try:
                    host, target = request_target(url)
                except (ValueError, AttributeError):
                    logger.error("Not purged from %s: %r is not a URL.", self, url)
                    continue
                try:
                    connection.request(
                        "PURGE", target, headers={"Host": host, "User-Agent": USER_AGENT}
                    )
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    logger.error(
                        "Could not purge %s from %s (%s); %d more URL(s) of this change not "
                        "purged either.",
                        url,
                        self,
                        f"{type(error).__name__}: {error}",
                        left,
                    )
                    return
                if response.status not in (200, 204, 404):
                    logger.error(
                        "%s refused to purge %s (%d %s); %d more URL(s) of this change not "
                        "purged either.",
                        str(self).capitalize(),
                        url,
                        response.status,
                        response.reason,
                        left,
                    )
                    return
        finally:
            connection.close()


class CloudflareBackend(cloudflare.CloudflareBackend):
    """Wagtail's Cloudflare backend (purge by URL, 30 per call), after the commit, never
    raising: Wagtail's logs Cloudflare's refusals but lets a network error through."""

    def purge(self, url):
        self.purge_batch([url])

    def purge_batch(self, urls):
        after_commit(super().purge_batch, list(urls), "Cloudflare")


class CloudFrontBackend(cloudfront.CloudfrontBackend):
    """Wagtail's CloudFront backend (one invalidation per batch), after the commit, never
    raising: Wagtail's logs CloudFront's refusals but lets a network or credentials error
    through."""

    def purge(self, url):
        self.purge_batch([url])

    def purge_batch(self, urls):
        after_commit(super().purge_batch, list(urls), "CloudFront")
