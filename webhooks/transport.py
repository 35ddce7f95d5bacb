"""The HTTP side of a delivery: where a URL may point, and one POST to it.

The address is checked when a webhook is saved and again right before each request,
because a name's DNS answer can change after the form accepted it. The request then
connects to the very address that was checked (not to a second lookup of the name), so a
name cannot pass the check with a public address and be used with a private one; the Host
header and the TLS certificate check still use the name.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import urllib3
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

    # The pool connects to the address that was checked; the certificate is checked
    # against the name, which the Host header carries too.
    name = request_name(parts.hostname)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            addresses[0],
            port,
            server_hostname=name,
            assert_hostname=name,
            ssl_context=ssl.create_default_context(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(addresses[0], port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    answer = None
    try:
        answer = pool.urlopen(
            "POST",
            path,
            body=body,
            # Host first, as RFC 9110 asks of clients. urllib3 writes the headers it adds
            # itself before the given ones, so those are given too, in http.client's order.
            headers={
                "Host": host_header(name, port, parts.scheme),
                "Accept-Encoding": "identity",
                "Content-Length": str(len(body)),
                **headers,
            },
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
            # The log shows the bytes the receiver sent, whatever their Content-Encoding.
            decode_content=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
        )
        excerpt = answer.read(RESPONSE_EXCERPT_BYTES)
        return Response(
            status=answer.status,
            headers={header.lower(): value for header, value in answer.headers.iteritems()},
            body=excerpt,
        )
    except urllib3.exceptions.NewConnectionError as error:
        # A refused or unreachable address: urllib3 makes this a ConnectTimeoutError
        # subclass, but no time ran out.
        raise DeliveryError(describe(error), retry=True) from None
    except (TimeoutError, urllib3.exceptions.TimeoutError):
        raise DeliveryError(f"No answer within {timeout:g} s", retry=True) from None
    except (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError) as error:
        raise DeliveryError(describe(error), retry=True) from None
    finally:
        # The response holds the connection (preload_content=False); the pool any other.
        if answer is not None:
            answer.close()
        pool.close()


def request_name(hostname):
    """``hostname`` as the Host header and the certificate check use it.

    In ASCII (IDNA for an international name), and an IPv6 address without its zone, as
    http.client wrote it when it connected by name.
    """
    try:
        name = hostname.encode("ascii").decode()
    except UnicodeEncodeError:
        name = hostname.encode("idna").decode()
    return name.partition("%")[0] if ":" in name else name


def host_header(name, port, scheme):
    # An IPv6 address goes in brackets, and the port only when it is not the default.
    host = f"[{name}]" if ":" in name else name
    return host if port == default_port(scheme) else f"{host}:{port}"


def describe(error):
    """``error`` as the log names it: the socket, TLS or HTTP error underneath.

    urllib3 wraps the error it met (as the cause, or as an argument); the log keeps naming
    the original, e.g. "ConnectionRefusedError: [Errno 111] Connection refused".
    """
    while isinstance(error, urllib3.exceptions.HTTPError):
        inner = error.__cause__ or next(
            (arg for arg in error.args if isinstance(arg, BaseException)), None
        )
        if inner is None:
            break
        error = inner
    return f"{type(error).__name__}: {error}"


def timed_post(url, body, headers):
    """post() and the milliseconds it took, whatever the outcome."""
    started = time.monotonic()
    try:
        return post(url, body, headers), None, _elapsed_ms(started)
    except DeliveryError as error:
        return None, error, _elapsed_ms(started)


def _elapsed_ms(started):
    return round((time.monotonic() - started) * 1000)
