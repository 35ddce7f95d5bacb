from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContentChange(models.Model):
    """One change of the content a frontend can see, in commit order of its id.

    This table is the single source of truth for both the change feed (``changes.api``)
    and the webhooks app, which listens to ``post_save`` of this model. Rows are written
    in the same transaction as the change they describe, so a rolled-back publish leaves
    no trace.
    """

    class Event(models.TextChoices):
        PAGE_PUBLISHED = "page.published", _("Page published")
        PAGE_UNPUBLISHED = "page.unpublished", _("Page unpublished")
        PAGE_DELETED = "page.deleted", _("Page deleted")
        PAGE_MOVED = "page.moved", _("Page moved")
        SNIPPET_SAVED = "snippet.saved", _("Snippet saved")
        SNIPPET_DELETED = "snippet.deleted", _("Snippet deleted")

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # Model label ("news.ArticlePage", "news.Category"): stays meaningful after a delete,
    # unlike a content type id.
    object_type = models.CharField(_("object type"), max_length=100)
    # The pk of the page or snippet; after a delete it points at nothing.
    object_id = models.PositiveBigIntegerField(_("object id"))
    translation_key = models.UUIDField(_("translation key"), null=True, blank=True)
    locale = models.CharField(_("locale"), max_length=20, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("content change")
        verbose_name_plural = _("content changes")

    def __str__(self):
        return f"{self.event} {self.object_type}:{self.object_id}"


class Purge(models.Model):
    """A run of ``purge_content_changes``: every change up to ``through_id`` is gone.

    The feed answers 410 Gone to a cursor (or a date-time) from before it: the client has
    missed changes it can no longer read and must sync everything again.
    """

    through_id = models.PositiveBigIntegerField(_("purged through change number"))
    # Every change recorded before this time was deleted.
    before = models.DateTimeField(_("purged changes recorded before"))
    purged_at = models.DateTimeField(_("purged at"), default=timezone.now)

    class Meta:
        get_latest_by = "through_id"
        verbose_name = _("purge of content changes")
        verbose_name_plural = _("purges of content changes")

    def __str__(self):
        return f"≤ {self.through_id} ({self.before.isoformat()})"


class ContentClock(models.Model):
    """When the content the API serves last changed: one row, moved forward after every
    commit that changes a page, a snippet, an image or a document (``changes.clock``).

    The API's ``Last-Modified`` comes from it. It is deliberately coarse: any change moves it,
    so a conditional request never gets a 304 for content that did change.
    """

    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("content clock")

    def __str__(self):
        return self.changed_at.isoformat()
