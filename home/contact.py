"""What happens around a contact form submission: the rate limit and the newsroom's e-mail."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import ratelimit
from core.clients import client_ip

logger = logging.getLogger(__name__)


SETTING = "UKIYO_CONTACT_RATE_LIMIT (CONTACT_RATE_LIMIT)"


def parse_rate(value):
    """``"5/600"`` → ``(5, 600)``: at most 5 submissions in 600 seconds. The contact form is
    always limited: unlike the search limit, ``off`` or nothing is a mistake."""
    rate = ratelimit.parse_rate(value, SETTING)
    if rate is None:
        raise ImproperlyConfigured(f"{SETTING} must be 'count/seconds', such as '5/600'.")
    return rate


class SubmissionRateLimit(ratelimit.FixedWindow):
    """How many messages one client address has sent in the current window (core.ratelimit).

    Only submissions that pass validation are counted: a reader correcting a typo spends
    nothing.
    """

    def __init__(self, request):
        count, seconds = parse_rate(settings.UKIYO_CONTACT_RATE_LIMIT)
        super().__init__("contact", client_ip(request), count, seconds)

    def exceeded(self):
        return (cache.get(self.counter_key) or 0) >= self.count


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
