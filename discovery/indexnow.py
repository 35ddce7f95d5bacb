"""IndexNow: telling search engines at once that a page was published, moved or removed.

With ``INDEXNOW_KEY`` set, every recorded change of a public page (``changes``: published,
unpublished, moved, deleted) queues a ping after its commit, never in the editor's request:
the worker that sends webhooks (``manage.py db_worker --backend worker``, queue
``webhooks``) posts the page's URLs, the new and the old, to ``INDEXNOW_ENDPOINT``
(api.indexnow.org shares them with Bing, Yandex, Seznam, Naver and the others). The key is
served at ``/indexnow-key.txt`` on each host, which the ping names as its ``keyLocation``: a
file at the root vouches for every URL of its host.

A ping is a hint, not a delivery: one attempt, its outcome logged; search engines still read
the sitemaps.

Queued rows name the task by its import path, ``discovery.indexnow.ping``: it must not move
while tasks may be waiting.
"""

import json
import logging
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)

KEY_PATH = "/indexnow-key.txt"
# What the protocol allows as a key: 8 to 128 letters, digits and hyphens.
VALID_KEY = re.compile(r"[A-Za-z0-9-]{8,128}")
# The changes that tell a search engine something about a URL.
EVENTS = {"page.published", "page.unpublished", "page.moved", "page.deleted"}


def key():
    return settings.UKIYO_INDEXNOW_KEY


def on_change_recorded(sender, instance, created=False, raw=False, **kwargs):
    """``post_save`` of ``changes.ContentChange``: queue a ping of the change's URLs after
    its commit, for a page readers could see."""
    if raw or not created or not key() or instance.event not in EVENTS:
        return
    data = instance.data or {}
    if not data.get("public"):
        return
    urls = [url for url in (data.get("html_url"), data.get("previous_html_url")) if url]
    if not urls:
        return

    def queue_ping():
        ping.enqueue(urls)

    transaction.on_commit(queue_ping, robust=True)


@task(backend="worker", queue_name="webhooks")
def ping(urls):
    """Post ``urls`` to IndexNow, one request per host (run by the worker)."""
    send(urls)


def send(urls):
    """Post ``urls`` to ``INDEXNOW_ENDPOINT``, one request per host; the HTTP status of each
    (None when it could not be reached), by host."""
    by_host = {}
    for url in dict.fromkeys(urls):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            by_host.setdefault((parts.scheme, parts.netloc), []).append(url)
    outcome = {}
    for (scheme, netloc), host_urls in by_host.items():
        body = {
            "host": urlsplit(f"//{netloc}").hostname,
            "key": key(),
            "keyLocation": f"{scheme}://{netloc}{KEY_PATH}",
            "urlList": host_urls,
        }
        outcome[netloc] = post(body)
    return outcome


def post(body):
    request = urllib.request.Request(  # noqa: S310 (INDEXNOW_ENDPOINT: checked to be http(s))
        settings.UKIYO_INDEXNOW_ENDPOINT,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.UKIYO_INDEXNOW_TIMEOUT) as answer:  # noqa: S310
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:
        logger.warning("IndexNow could not be reached for %s: %s", body["host"], error)
        return None
    if status in (200, 202):
        logger.info("IndexNow took %d URL(s) of %s", len(body["urlList"]), body["host"])
    else:
        # 400: bad request; 403: the key file does not match; 422: URLs of another host;
        # 429: too many requests.
        logger.warning("IndexNow answered %s for %s", status, body["host"])
    return status


@checks.register(deploy=True)
def indexnow_settings(app_configs, **kwargs):
    """A key IndexNow would refuse, or an endpoint that is not a web address."""
    errors = []
    if key() and not VALID_KEY.fullmatch(key()):
        errors.append(
            checks.Error(
                "INDEXNOW_KEY must be 8 to 128 letters, digits or hyphens.",
                hint="Generate one, e.g. python -c 'import uuid; print(uuid.uuid4().hex)'.",
                id="ukiyo.E040",
            )
        )
    if urlsplit(settings.UKIYO_INDEXNOW_ENDPOINT).scheme not in ("http", "https"):
        errors.append(
            checks.Error(
                "INDEXNOW_ENDPOINT must be an http(s) URL.",
                id="ukiyo.E041",
            )
        )
    return errors
