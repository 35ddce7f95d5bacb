import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PreviewSnapshot(models.Model):
    """A page exactly as an editor previewed it, unsaved changes included (``preview.tokens``).

    The admin keeps the form being previewed for the editor alone; the frontend that renders
    the preview is not logged in, so the state is kept here and a signed token names the row.
    Rows live as long as tokens do (``UKIYO_PREVIEW_TOKEN_MAX_AGE``): each new preview deletes
    the expired ones, and ``manage.py purge_preview_snapshots`` does on idle sites. The random
    id is one more thing a forger would have to guess.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    locale = models.ForeignKey(
        "wagtailcore.Locale", on_delete=models.CASCADE, related_name="+", verbose_name=_("locale")
    )
    # What a revision stores (``Page.serializable_data()``), restored the same way.
    content = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("preview snapshot")
        verbose_name_plural = _("preview snapshots")

    def __str__(self):
        return f"{self.page_id} ({self.created_at.isoformat()})"
