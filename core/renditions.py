"""The renditions of a published page's images, made by the worker before readers ask.

A reader's page shows each image at several widths (``srcset``), a card at others, the API
at its own, search engines a few crops more. A rendition that does not exist yet is made by
the first request that needs it: the original read from storage (a bucket, in production),
decoded, resized and encoded for each missing size, and each written back. For a breaking
story with a new photograph that is a second or more of the first readers' requests, on
every app server at once.

So publishing queues a task (``make_renditions``, on the worker's ``renditions`` queue) once
the publication has committed, and the worker makes every rendition the page's images need
in one go per image (Wagtail's ``get_renditions`` opens each original once for all its
missing sizes). Readers who arrive before it has finished get them made as before; the
worker's later inserts of the same sizes are ignored (Wagtail inserts renditions ignoring
conflicts), so several workers, and readers, may race safely.

What a page needs comes from the page itself (``renditions_needed()`` on ``BasePage`` and
its subclasses): the specs are those its templates and API fields use, and a test renders
every reader page and API answer of a published article after the worker ran and finds no
rendition made.

A new file uploaded for an image in the admin makes Wagtail delete the image's renditions: the
live pages that show it (Wagtail's reference index knows them) are queued again, once per
transaction.

``renditions_or_none`` is how pages and API answers ask for renditions: an original that
cannot be read (the bucket out of reach before the renditions were made) leaves the image
out of what is being rendered, which is then not kept, instead of failing it.

Queued rows name the task by its import path, ``core.renditions.make_renditions``: it must
not move while tasks may be waiting.
"""

import functools
import logging
import time

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, transaction
from django_tasks import task
from wagtail.images import get_image_model
from wagtail.images.models import Filter, SourceImageIOError
from wagtail.models import Page, ReferenceIndex

from compat.django import on_commit_once, scheduled_on_commit

from . import pagecache

logger = logging.getLogger(__name__)

# An image whose original cannot be read is logged once a minute per image and process: while
# the bucket is out of reach every reader's request meets it again, for every image it shows.
UNREADABLE_LOG_SECONDS = 60
_unreadable_logged = {}


def renditions_or_none(image, *specs):
    """``image.get_renditions(*specs)`` (each spec parsed once per process:
    ``parsed_filter``), or None when its original cannot be read (deleted, or
    the bucket out of reach): the caller shows the image without those files, and what is
    being rendered is not kept (``pagecache.INCOMPLETE``), so that readers get the image once
    the storage answers again."""
    try:
        return image.get_renditions(*map(parsed_filter, specs))
    except SourceImageIOError as error:
        _log_unreadable(image, error)
        pagecache.depends_on(pagecache.INCOMPLETE)
        return None


@functools.lru_cache(maxsize=1024)
def parsed_filter(spec):
    """The process's one Wagtail ``Filter`` for ``spec``.

    Wagtail parses a spec into its operations once per ``Filter`` (``Filter.operations``,
    each operation's arguments checked through ``inspect``), and needs them for every
    rendition it looks up, prefetched or not; ``get_renditions`` makes a new ``Filter`` of
    each spec given as text. A page or an API answer shows up to a dozen images of several
    widths: each spec is parsed once per process, not once per image and request. A
    ``Filter`` keeps nothing of the images it is used for; specs come from the code
    (templates, API fields, ``renditions_needed``), so the cache stays small.
    """
    return Filter(spec=spec)


def _log_unreadable(image, error):
    now = time.monotonic()
    logged = _unreadable_logged.get(image.pk)
    if logged is not None and now - logged < UNREADABLE_LOG_SECONDS:
        return
    if len(_unreadable_logged) >= 10_000:  # a bucket with many images, all out of reach
        _unreadable_logged.clear()
    _unreadable_logged[image.pk] = now
    logger.warning(
        "The original of image %s could not be read (logged once a minute per image): %s",
        image.pk,
        error,
    )


def needed(page):
    """``{image id: (image, [spec, ...])}``: every rendition ``page`` shows, by image."""
    by_image = {}
    for image, specs in page.renditions_needed():
        if image is None:
            continue
        _, wanted = by_image.setdefault(image.pk, (image, []))
        wanted.extend(spec for spec in specs if spec not in wanted)
    return by_image


def on_page_published(sender, instance, **kwargs):
    """``page_published``: queue ``make_renditions`` for the page after the commit, when it
    shows any image."""
    page = instance.specific
    if not hasattr(page, "renditions_needed") or not needed(page):
        return
    page_id = page.pk
    transaction.on_commit(lambda: make_renditions.enqueue(page_id), robust=True)


class ImagesRedone:
    """The images whose renditions one transaction made obsolete (a new file uploaded for an
    image in the admin: Wagtail deletes its renditions; a focal point moved: crops are made
    for a focal point), handled once after the commit: the live pages that show them get
    their renditions made again by the worker."""

    MARKER = "ukiyo_images_redone"

    def __init__(self):
        self.image_ids = set()

    def __call__(self):
        image_type = ContentType.objects.get_for_model(get_image_model())
        page_ids = ReferenceIndex.objects.filter(
            to_content_type=image_type,
            to_object_id__in=[str(pk) for pk in self.image_ids],
            base_content_type=ContentType.objects.get_for_model(Page),
        ).values_list("object_id", flat=True)
        for page_id in (
            Page.objects.live().filter(pk__in=set(page_ids)).values_list("pk", flat=True)
        ):
            make_renditions.enqueue(page_id)


def _redo(image_id, using):
    """Queue the pages of image ``image_id`` after the commit, once per transaction."""
    batch = scheduled_on_commit(using, ImagesRedone.MARKER)
    if batch is None:
        batch = ImagesRedone()
        on_commit_once(batch, using, ImagesRedone.MARKER)
    batch.image_ids.add(image_id)


def on_rendition_saved(sender, instance, created, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    """``post_save`` of a new rendition: what keeps its image's renditions read in advance is
    stale (``pagecache.renditions_tag``), or Wagtail, trusting the list, would make it again."""
    if created and not raw:
        pagecache.invalidate([pagecache.renditions_tag(instance.image_id)], using=using)


def on_rendition_deleted(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    """``post_delete`` of a rendition: its image's pages are queued after the commit (once
    per transaction, however many renditions it deleted)."""
    pagecache.invalidate([pagecache.renditions_tag(instance.image_id)], using=using)
    _redo(instance.image_id, using)


FOCAL_POINT = ("focal_point_x", "focal_point_y", "focal_point_width", "focal_point_height")


def on_image_saving(sender, instance, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    """``pre_save`` of an image: a focal point moved (or set, or cleared) in the admin makes
    new crops, which readers' first requests would otherwise make; its pages are queued after
    the commit. One query, for an image saved again."""
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None or (update_fields and not set(update_fields) & {*FOCAL_POINT}):
        return
    stored = sender.objects.using(using).filter(pk=instance.pk).values_list(*FOCAL_POINT).first()
    if stored is not None and stored != tuple(getattr(instance, name) for name in FOCAL_POINT):
        _redo(instance.pk, using)


@task(backend="worker", queue_name="renditions")
def make_renditions(page_id):
    """Make the renditions page ``page_id`` shows that do not exist yet (run by the worker).

    A page unpublished or deleted since it was queued needs none; an image whose original
    cannot be read is logged and the others are still made.
    """
    page = Page.objects.live().filter(pk=page_id).specific().first()
    if page is None or not hasattr(page, "renditions_needed"):
        return
    for image, specs in needed(page).values():
        try:
            image.get_renditions(*specs)
        except SourceImageIOError:
            logger.warning(
                "The original of image %s (%s) cannot be read: its renditions for page %s "
                "were not made.",
                image.pk,
                image.file.name,
                page_id,
            )
