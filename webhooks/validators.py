from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import transport


def validate_webhook_url(url):
    """Refuse receiver URLs ukiyo should not call (checked again before each request)."""
    allow_private = transport.allow_private_networks()
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise ValidationError(
            _("Use an https:// URL: the requests carry content and a signature."),
            code="scheme",
        )
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            _(
                "Remove the user name and password from the URL: the signature tells the "
                "receiver that a request comes from ukiyo."
            ),
            code="credentials",
        )
    try:
        port = parts.port or transport.default_port(parts.scheme)
    except ValueError:
        raise ValidationError(_("The port in this URL is not a number."), code="port") from None
    if not parts.hostname:
        raise ValidationError(_("Enter a URL with a host name."), code="host")
    try:
        transport.check_addresses(parts.hostname, port)
    except transport.BlockedAddress as blocked:
        raise ValidationError(
            _(
                "%(host)s is a private, loopback or link-local address (%(address)s): "
                "webhooks may only call receivers on the public internet."
            ),
            params={"host": parts.hostname, "address": blocked.address},
            code="private",
        ) from None
    except OSError:
        # Not resolvable now (a receiver not deployed yet, or no DNS here): each delivery
        # resolves and checks the name again.
        pass
