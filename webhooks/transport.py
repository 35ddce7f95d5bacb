"""The HTTP side of a delivery: where a URL may point, and one POST to it.

The address is checked when a webhook is saved and again right before each request,
because a name's DNS answer can change after the form accepted it. The request then
connects to the very address that was checked (not to a second lookup of the name), so a
name cannot pass the check with a public address and be used with a private one.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

# Only this much of a receiver's answer is read and kept in the log.
RESPONSE_EXCERPT_BYTES = 4096


class DeliveryError(Exception):
    """The request could not be made or got no answer.

    ``retry`` says whether a later attempt may go better (a timeout, a refused
    connection) or not (an address ukiyo may not call).
    """

    def __init__(self, message, *, retry):
        super().__init__(message)
        self.retry = retry


@dataclass
class Response:
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""


def allow_private_networks():
    return settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS


def resolve(host, port):
    """The IP addresses ``host`` resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(address):
    ip = ipaddress.ip_address(address)
    # "::ffff:10.0.0.1" is 10.0.0.1 to the network stack.
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class BlockedAddress(Exception):
    def __init__(self, address):
        super().__init__(address)
        self.address = address


def check_addresses(host, port):
    """The addresses to connect to for ``host``; BlockedAddress for a private one.

    Every address of the name must be public, not only the first: the connection may
    use any of them.
    """
    addresses = resolve(host, port)
    if not allow_private_networks():
        for address in addresses:
            if not is_public(address):
                raise BlockedAddress(address)
    return addresses


def default_port(scheme):
    return 443 if scheme == "https" else 80


def post(url, body, headers, *, timeout=None):
    """POST ``body`` to ``url``; the answer, or DeliveryError.

    Redirects are not followed: a 3xx is an answer like any other, so a receiver cannot
    send ukiyo on to an address the checks did not see.
    """
    timeout = settings.UKIYO_WEBHOOK_TIMEOUT if timeout is None else timeout
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError(f"Not an http(s) URL: {url}", retry=False)
    if parts.scheme == "http" and not allow_private_networks():
        raise DeliveryError("Plain http:// is refused; use https://", retry=False)
    port = parts.port or default_port(parts.scheme)
    try:
        addresses = check_addresses(parts.hostname, port)
    except BlockedAddress as blocked:
        raise DeliveryError(
            f"Refused: {parts.hostname} resolves to a private address ({blocked.address})",
            retry=False,
        ) from None
    except OSError as error:
        raise DeliveryError(f"DNS lookup failed: {error}", retry=True) from None

    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    address = addresses[0]

    def connect_to_checked_address(_address, timeout, source_address=None):
        # The Host header and TLS certificate check still use the name.
        return socket.create_connection((address, port), timeout, source_address)

    connection._create_connection = connect_to_checked_address
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        excerpt = answer.read(RESPONSE_EXCERPT_BYTES)
        return Response(
            status=answer.status,
            headers={name.lower(): value for name, value in answer.getheaders()},
            body=excerpt,
        )
    except TimeoutError:
        raise DeliveryError(f"No answer within {timeout:g} s", retry=True) from None
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}", retry=True) from None
    finally:
        connection.close()


def timed_post(url, body, headers):
    """post() and the milliseconds it took, whatever the outcome."""
    started = time.monotonic()
    try:
        return post(url, body, headers), None, _elapsed_ms(started)
    except DeliveryError as error:
        return None, error, _elapsed_ms(started)


def _elapsed_ms(started):
    return round((time.monotonic() - started) * 1000)
