"""What happens around a contact form submission: the rate limit and the newsroom's e-mail."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.clients import client_ip

logger = logging.getLogger(__name__)


def parse_rate(value):
    """``"5/600"`` → ``(5, 600)``: at most 5 submissions in 600 seconds."""
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except (AttributeError, ValueError):
        count = seconds = 0
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(
            f"UKIYO_CONTACT_RATE_LIMIT (CONTACT_RATE_LIMIT) must be 'count/seconds', "
            f"such as '5/600', not {value!r}."
        )
    return count, seconds


class SubmissionRateLimit:
    """How many messages one client address has sent in the current window.

    A fixed window in the Django cache: it opens with the first counted submission and lasts
    the configured number of seconds. Only submissions that pass validation are counted:
    a reader correcting a typo spends nothing.
    """

    def __init__(self, request):
        self.count, self.seconds = parse_rate(settings.UKIYO_CONTACT_RATE_LIMIT)
        key = f"ukiyo:contact:{client_ip(request)}"
        self.counter_key = f"{key}:count"
        self.ends_key = f"{key}:ends"

    def exceeded(self):
        return (cache.get(self.counter_key) or 0) >= self.count

    def retry_after(self):
        """Seconds until the window closes, for the ``Retry-After`` header."""
        ends = cache.get(self.ends_key) or time.time() + self.seconds
        return max(1, round(ends - time.time()))

    def hit(self):
        """Count one message; False when it is over the limit.

        One atomic increment, so that messages sent at the same moment cannot all pass a
        check made before any of them was counted.
        """
        if cache.add(self.counter_key, 0, self.seconds):
            cache.set(self.ends_key, time.time() + self.seconds, self.seconds)
        try:
            count = cache.incr(self.counter_key)
        except ValueError:  # the window closed between add() and incr()
            cache.set(self.counter_key, 1, self.seconds)
            count = 1
        return count <= self.count


def admin_url(request, message):
    try:
        path = reverse("contact_messages:inspect", args=[message.pk])
    except NoReverseMatch:
        return ""
    base_url = getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return base_url.rstrip("/") + path if base_url else request.build_absolute_uri(path)


def notify_newsroom(message, request):
    """E-mail ``message`` (already stored) to ``UKIYO_CONTACT_RECIPIENTS``; True if sent.

    A failure is logged, never raised: the message is safe in the database and the reader
    has nothing to do about the newsroom's mail server.
    """
    recipients = settings.UKIYO_CONTACT_RECIPIENTS
    if not recipients:
        logger.warning(
            "Contact message %s stored, no e-mail sent: no recipients (set CONTACT_EMAIL).",
            message.pk,
        )
        return False
    # Written for the newsroom, in the site's source language, whatever the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Contact form: %(subject)s") % {"subject": message.subject}
        body = render_to_string(
            "home/email/contact_message.txt",
            {
                "message": message,
                "page_url": message.page.full_url if message.page else "",
                "admin_url": admin_url(request, message),
            },
        )
    try:
        # sanitize_address, not formataddr: an address with a non-ASCII domain
        # (hanako@例え.jp) is valid, and must be encoded rather than crash.
        reply_to = sanitize_address((message.name, message.email), "utf-8")
        EmailMessage(subject=subject, body=body, to=recipients, reply_to=[reply_to]).send()
    except Exception:
        # Whatever the backend raises (SMTP errors, refused or timed-out connections, an
        # e-mail service's API errors), the message is stored and the reader has been served.
        logger.exception(
            "Contact message %s stored, but its e-mail to %s could not be sent.",
            message.pk,
            ", ".join(recipients),
        )
        return False
    logger.info("Contact message %s e-mailed to %s.", message.pk, ", ".join(recipients))
    return True
