"""Fixtures for webhooks: a receiver that answers what a test tells it, and public DNS.

No test reaches the network: the transport's ``post`` is replaced by ``receiver`` (or a
local HTTP server on 127.0.0.1 is used, with private networks allowed), and host names
resolve through ``public_dns``.
"""

import pytest

from changes.models import ContentChange
from tests.tasks import run_queued
from webhooks import delivery, transport
from webhooks.models import Webhook

PUBLIC_ADDRESS = "203.0.114.10"  # stands for a receiver on the internet


class Receiver:
    """Records each request; answers with the queued responses, then 200."""

    def __init__(self):
        self.requests = []
        self.answers = []

    def answer(self, *answers):
        self.answers.extend(answers)

    def __call__(self, url, body, headers, *, timeout=None):
        self.requests.append({"url": url, "body": body, "headers": headers})
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, transport.Response):
            return answer
        return transport.Response(status=answer, body=b"ok")


@pytest.fixture
def public_dns(monkeypatch):
    """Every host name resolves to one public address, except names given here."""
    names = {}

    def resolve(host, port):
        if host in names:
            return names[host]
        try:
            transport.ipaddress.ip_address(host)
        except ValueError:
            return [PUBLIC_ADDRESS]
        return [host]

    monkeypatch.setattr(transport, "resolve", resolve)
    return names


@pytest.fixture
def receiver(monkeypatch, public_dns, settings):
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    fake = Receiver()
    monkeypatch.setattr(transport, "post", fake)
    monkeypatch.setattr(delivery, "JITTER", 0)
    return fake


def make_webhook(**fields):
    values = {
        "name": "Frontend build",
        "url": "https://hooks.frontend.example/ukiyo",
        "events": [event.value for event in ContentChange.Event],
    }
    values.update(fields)
    return Webhook.objects.create(**values)


@pytest.fixture
def webhook(db):
    return make_webhook()


@pytest.fixture
def record_change(django_capture_on_commit_callbacks):
    """Write a ContentChange the way the changes app does, and run the on-commit hooks."""

    def record(event="page.published", locale="en", **fields):
        values = {
            "event": event,
            "object_type": "news.ArticlePage",
            "object_id": 42,
            "locale": locale,
            "data": {"title": "Moon landing", "url_path": "/home/articles/moon/"},
        }
        values.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return ContentChange.objects.create(**values)

    return record


def run_worker():
    """Run the queued webhook tasks that are due, as ``db_worker --batch`` would."""
    return run_queued("webhooks")
