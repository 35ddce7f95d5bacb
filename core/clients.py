"""Who is asking: the client's address, also behind reverse proxies."""

import ipaddress

from django.conf import settings


def _valid_ip(value):
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request):
    """The address of the client that sent ``request``, for rate limits.

    X-Forwarded-For is a list every proxy appends to, so only its last entries, written by
    proxies we run, can be believed: with ``TRUSTED_PROXY_COUNT=n`` the n-th entry from the
    right is the client. Whatever a client writes further left is ignored, so a forged header
    cannot make one reader's failed logins count against another's address. With
    ``TRUSTED_CLIENT_IP_HEADER`` (e.g. ``X-Real-IP``), that header, which the proxy overwrites,
    is used. Without either setting, or when a header is missing or malformed, the address
    of the connection (REMOTE_ADDR) is the client.
    """
    header = settings.UKIYO_TRUSTED_CLIENT_IP_HEADER
    count = settings.UKIYO_TRUSTED_PROXY_COUNT
    candidate = None
    if header:
        candidate = _valid_ip(request.headers.get(header))
    elif count > 0:
        forwarded = [
            part for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()
        ]
        if len(forwarded) >= count:
            candidate = _valid_ip(forwarded[-count])
    # An address no client has, when the connection's is unusable (not a socket to bind).
    return candidate or _valid_ip(request.META.get("REMOTE_ADDR")) or "0.0.0.0"  # noqa: S104
