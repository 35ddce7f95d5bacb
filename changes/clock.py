"""The time of the last change to anything the API serves: the source of ``Last-Modified``.

A page's JSON depends on more than the page (its category's name, its images' alt text, the
URLs of the pages it links to), so no single row's timestamp can say when the answer last
changed. The clock is moved forward after every commit that saves or deletes a page, a
snippet, an image, a document, a tag, a site, a locale, a view restriction or a row of the
change feed (a purge). It is coarse on purpose: a client may get a full answer it already had,
never a 304 for changed content.

The clock moves after the commit (``on_commit``), never before the change is visible, and once
per transaction however many rows it saved. ``Last-Modified`` is sent only once the clock is a
second old: HTTP dates have whole seconds, and a second change within the same second as an
answer would otherwise carry the same date and be taken for unchanged.
"""

from datetime import timedelta
from functools import partial

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from taggit.models import TagBase
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import BaseViewRestriction, Locale, Page, Site

from compat.django import on_commit_once
from core import pagecache

from .models import ContentChange, ContentClock, Purge

# Content apps whose every model can appear in an API answer (snippets, inline rows).
CONTENT_APPS = {"news"}
# The change feed's rows too: every change is recorded in the transaction of a content change
# that moves the clock anyway, but a purge of old changes changes the feed alone.
CONTENT_MODELS = (
    Page,
    AbstractImage,
    AbstractDocument,
    TagBase,
    Site,
    Locale,
    BaseViewRestriction,
    ContentChange,
    Purge,
)
# Precision of HTTP dates.
SETTLE = timedelta(seconds=1)


def shows_in_the_api(model):
    # Not renditions: they are made by the first read, and reading must not move the clock.
    return issubclass(model, CONTENT_MODELS) or model._meta.app_label in CONTENT_APPS


def move_forward(using):
    now = timezone.now()
    if not ContentClock.objects.using(using).filter(pk=1).update(changed_at=now):
        ContentClock.objects.using(using).get_or_create(pk=1, defaults={"changed_at": now})


def content_changed(model, using=DEFAULT_DB_ALIAS):
    """Move the clock after the commit that saves or deletes an instance of ``model``.

    Called by ``changes.signals`` for every save, delete and many-to-many change that is not
    a raw save (a fixture or a database restore being loaded, not an edit).
    """
    if shows_in_the_api(model):
        # Once per transaction however many rows it saves; a rollback drops it.
        on_commit_once(partial(move_forward, using), using, marker="moves_content_clock")


def changed_at():
    """When the clock last moved (an aware date-time), or None if it never has.

    Read once per live page's view or API read (``core.pagecache.read_once``): its
    ``Last-Modified`` and the version of its counts (``core.counts``) then cost one query.
    """
    return pagecache.read_once("content-clock", _read_clock)


def _read_clock():
    return ContentClock.objects.filter(pk=1).values_list("changed_at", flat=True).first()


def last_modified():
    """The clock's time, or None while it is younger than a second (or never moved)."""
    moment = changed_at()
    if moment is None or timezone.now() - moment < SETTLE:
        return None
    return moment
