import json
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from changes.models import ContentChange

from .validators import validate_webhook_url

# The event of a delivery sent from the admin's "Send test delivery": no change behind it.
TEST_EVENT = "webhook.test"

# After a rotation, deliveries carry a signature with the previous secret too, for this
# long, so a receiver can switch secrets without rejecting anything in between.
SECRET_ROTATION_GRACE = timedelta(hours=24)


def generate_secret():
    # 32 random bytes: as strong as the SHA-256 HMAC it keys.
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A receiver told about content changes: which events, in which languages, where."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_webhook_url],
        help_text=_("Where ukiyo sends a POST request for each change (https://)."),
    )
    secret = models.CharField(_("secret"), max_length=100, default=generate_secret)
    # Still signed with during SECRET_ROTATION_GRACE after a rotation.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Lists of ContentChange.Event values and language codes. Filtering happens in Python:
    # a site has a handful of webhooks, and JSON "contains" lookups differ between databases.
    events = models.JSONField(_("events"), default=list)
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_("Changes in these languages only. None selected: every language."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Nothing is sent to inactive webhooks.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        # Here rather than in clean(): a form excludes the fields it already refused, so an
        # editor reads each message once.
        exclude = set(exclude or ())
        errors = {}
        try:
            # "events" is checked below, with one message for empty and unknown alike.
            super().clean_fields(exclude=exclude | {"events"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        known_events = set(ContentChange.Event.values)
        if "events" not in exclude and (not self.events or not set(self.events) <= known_events):
            errors.setdefault("events", []).append(_("Choose at least one event."))
        known_languages = {code for code, _name in settings.LANGUAGES}
        if "languages" not in exclude and not set(self.languages) <= known_languages:
            errors.setdefault("languages", []).append(_("Choose only languages of this site."))
        if errors:
            raise ValidationError(errors)

    def wants(self, event, locale):
        """Whether a change of this event, in this language, is sent to this webhook.

        Changes without a language (snippets that are not translatable) go to every
        webhook that takes the event: a language filter cannot place them.
        """
        if event not in self.events:
            return False
        return not self.languages or not locale or locale in self.languages

    def rotate_secret(self):
        self.previous_secret = self.secret
        self.secret_rotated_at = timezone.now()
        self.secret = generate_secret()

    def signing_secrets(self, now=None):
        """The secrets a delivery is signed with now: the current one first."""
        now = now or timezone.now()
        in_grace = (
            self.previous_secret
            and self.secret_rotated_at
            and now - self.secret_rotated_at < SECRET_ROTATION_GRACE
        )
        return [self.secret, self.previous_secret] if in_grace else [self.secret]

    def get_events_display(self):
        labels = dict(ContentChange.Event.choices)
        return ", ".join(str(labels.get(event, event)) for event in self.events)

    def get_languages_display(self):
        names = dict(settings.LANGUAGES)
        chosen = ", ".join(names.get(code, code) for code in self.languages)
        return chosen or pgettext_lazy("all languages", "All")


class WebhookDelivery(models.Model):
    """One change sent (or being sent) to one webhook: the request and how it went.

    The row is the state of the delivery: a queued task only says "look at this row now",
    so retries survive a restart of the worker and two tasks for one row send it once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        GIVEN_UP = "given_up", _("Given up")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    # The body keeps what was sent; the change row may be pruned before the log is.
    change = models.ForeignKey(
        ContentChange,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("change"),
    )
    event = models.CharField(_("event"), max_length=40)
    # The exact JSON sent, so that every attempt sends the same bytes.
    body = models.TextField(_("request body"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.TextField(_("response excerpt"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True)
    # One entry per attempt (time, status code, error, duration): the detail view's history.
    history = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["webhook", "created_at"], name="webhooks_delivery_log_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook}"

    def subject(self):
        """What the delivery was about, as its payload names it: a title and its language."""
        try:
            change = json.loads(self.body).get("change") or {}
        except (ValueError, AttributeError):
            return ""
        title, locale = change.get("title") or "", change.get("locale")
        return f"{title} ({locale})" if title and locale else title

    def get_event_display(self):
        if self.event == TEST_EVENT:
            return _("Test delivery")
        return dict(ContentChange.Event.choices).get(self.event, self.event)

    @property
    def is_finished(self):
        return self.status != self.Status.PENDING

    @property
    def can_retry(self):
        return self.status in {self.Status.FAILED, self.Status.GIVEN_UP}
