"""The real request, to a receiver on 127.0.0.1: signature, headers, limits, TLS, SSRF care."""

import hashlib
import hmac
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from datetime import timedelta

import pytest

from webhooks import delivery, signing, tasks, transport
from webhooks.models import WebhookDelivery

from .conftest import make_webhook

Status = WebhookDelivery.Status
pytestmark = pytest.mark.django_db


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.received.append(
            {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
        )
        status, headers, body, delay = self.server.script.pop(0)
        time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The client hanging up on a slow answer is what the timeout test wants.
        pass


class Server6(Server):
    address_family = socket.AF_INET6


def serve(server):
    server.received = []
    server.script = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def stop(server):
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_receiver(settings):
    """An HTTP server on 127.0.0.1 that answers from ``script``; private networks allowed."""
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    server = serve(Server(("127.0.0.1", 0), Handler))
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ukiyo?site=news"
    yield server
    stop(server)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for receiver.example (no CA signs test names), and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            key,
            "-out",
            cert,
            "-subj",
            "/CN=receiver.example",
            "-addext",
            "subjectAltName=DNS:receiver.example",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_receiver(settings, public_dns, certificate):
    """An HTTPS server on 127.0.0.1 with the certificate for receiver.example.

    receiver.example and elsewhere.example both resolve to 127.0.0.1; nothing trusts the
    certificate unless a test says so.
    """
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    public_dns["receiver.example"] = ["127.0.0.1"]
    public_dns["elsewhere.example"] = ["127.0.0.1"]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = Server(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.port = server.server_address[1]
    yield serve(server)
    stop(server)


def trust(monkeypatch, certificate):
    # ssl.create_default_context() loads the trust store named by SSL_CERT_FILE: the
    # transport's own TLS settings then trust the test certificate, unchanged otherwise.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


def receiver_verifies(secret, headers, body, tolerance=300):
    """What the documentation tells a receiver to do, written out independently."""
    fields = dict(
        item.split("=", 1) for item in headers["X-Ukiyo-Signature"].split(",") if "v1" not in item
    )
    signatures = [
        item.split("=", 1)[1]
        for item in headers["X-Ukiyo-Signature"].split(",")
        if item.startswith("v1=")
    ]
    timestamp = fields["t"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


def send(webhook):
    pending = delivery.new_delivery(webhook, "page.published", payload={"id": 7, "locale": "ja"})
    pending.save()
    return tasks.attempt(pending.pk, 0)


def test_a_receiver_verifies_the_signature_of_what_it_received(local_receiver):
    webhook = make_webhook(url=local_receiver.url)
    local_receiver.script.append((204, {}, b"", 0))
    sent = send(webhook)
    assert sent.status == Status.SUCCEEDED
    assert sent.response_status == 204
    (request,) = local_receiver.received
    assert request["path"] == "/hooks/ukiyo?site=news"
    headers, body = request["headers"], request["body"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Ukiyo-Timestamp"] == headers["X-Ukiyo-Signature"].split(",")[0][2:]
    assert json.loads(body)["change"] == {"id": 7, "locale": "ja"}
    assert receiver_verifies(webhook.secret, headers, body)
    assert signing.verify(webhook.secret, headers["X-Ukiyo-Signature"], body, now=time.time())
    # Another secret, a changed body, or an old capture replayed: all rejected.
    assert not receiver_verifies("whsec_someone-else", headers, body)
    assert not receiver_verifies(webhook.secret, headers, body.replace(b"ja", b"en"))
    later = time.time() + 3600
    assert not signing.verify(webhook.secret, headers["X-Ukiyo-Signature"], body, now=later)


def test_after_a_rotation_both_secrets_sign_for_a_day(local_receiver):
    webhook = make_webhook(url=local_receiver.url)
    old_secret = webhook.secret
    webhook.rotate_secret()
    webhook.save()
    local_receiver.script.append((200, {}, b"", 0))
    send(webhook)
    (request,) = local_receiver.received
    assert request["headers"]["X-Ukiyo-Signature"].count("v1=") == 2
    assert receiver_verifies(webhook.secret, request["headers"], request["body"])
    assert receiver_verifies(old_secret, request["headers"], request["body"])

    # Past the grace period only the new secret signs.
    webhook.secret_rotated_at -= timedelta(hours=25)
    assert webhook.signing_secrets() == [webhook.secret]


def test_redirects_are_not_followed(local_receiver):
    webhook = make_webhook(url=local_receiver.url)
    local_receiver.script.append((302, {"Location": "http://127.0.0.1:1/elsewhere"}, b"", 0))
    sent = send(webhook)
    assert sent.status == Status.FAILED
    assert sent.response_status == 302
    assert len(local_receiver.received) == 1


def test_only_the_start_of_a_long_answer_is_read(local_receiver):
    webhook = make_webhook(url=local_receiver.url)
    local_receiver.script.append((500, {}, b"x" * 100_000, 0))
    sent = send(webhook)
    assert sent.status == Status.PENDING  # a 5xx is retried
    assert len(sent.response_body) == transport.RESPONSE_EXCERPT_BYTES


def test_a_slow_receiver_times_out_and_is_retried(local_receiver, settings):
    settings.UKIYO_WEBHOOK_TIMEOUT = 0.3
    webhook = make_webhook(url=local_receiver.url)
    local_receiver.script.append((200, {}, b"", 1.0))
    sent = send(webhook)
    assert sent.status == Status.PENDING
    assert sent.response_status is None
    assert "No answer within 0.3 s" in sent.error
    assert sent.duration_ms < 1000


def test_a_closed_port_is_a_network_error_retried_later(settings):
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    probe = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    port = probe.server_address[1]
    probe.server_close()
    sent = send(make_webhook(url=f"http://127.0.0.1:{port}/"))
    assert sent.status == Status.PENDING
    assert "ConnectionRefusedError" in sent.error


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "::1", "::ffff:10.0.0.1"],
)
def test_private_addresses_are_refused_at_delivery_time(settings, public_dns, monkeypatch, address):
    """A name that resolved to a public address when saved and to a private one now."""
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    webhook = make_webhook(url="https://hooks.frontend.example/ukiyo")
    public_dns["hooks.frontend.example"] = [address]
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda *a: connections.append(a))
    sent = send(webhook)
    assert sent.status == Status.FAILED  # a configuration problem: not retried
    assert f"private address ({address})" in sent.error
    assert connections == []


def test_one_private_address_among_public_ones_is_enough_to_refuse(settings, public_dns):
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    public_dns["mixed.example"] = ["203.0.114.10", "127.0.0.1"]
    with pytest.raises(transport.BlockedAddress):
        transport.check_addresses("mixed.example", 443)


def test_the_connection_goes_to_the_address_that_was_checked(settings, public_dns, monkeypatch):
    """No second DNS lookup between the check and the connection."""
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    public_dns["hooks.frontend.example"] = ["203.0.114.10"]
    connected = []

    def refuse(sock, address):
        connected.append(address)
        raise ConnectionRefusedError("test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    sent = send(make_webhook(url="https://hooks.frontend.example/ukiyo"))
    assert connected == [("203.0.114.10", 443)]
    assert sent.status == Status.PENDING


def test_plain_http_is_refused_outside_development(settings, public_dns):
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(transport.DeliveryError) as refused:
        transport.post("http://hooks.frontend.example/", b"{}", {})
    assert not refused.value.retry


def test_https_goes_to_the_checked_address_with_the_name_for_tls_and_host(
    tls_receiver, certificate, monkeypatch
):
    trust(monkeypatch, certificate)
    tls_receiver.script.append((204, {}, b"", 0))
    webhook = make_webhook(url=f"https://receiver.example:{tls_receiver.port}/hooks/ukiyo")
    sent = send(webhook)
    assert sent.status == Status.SUCCEEDED, sent.error
    (request,) = tls_receiver.received
    assert request["path"] == "/hooks/ukiyo"
    assert request["headers"]["Host"] == f"receiver.example:{tls_receiver.port}"
    assert receiver_verifies(webhook.secret, request["headers"], request["body"])


@pytest.mark.parametrize(
    ("name", "trusted"),
    [("elsewhere.example", True), ("receiver.example", False)],
    ids=["certificate-for-another-name", "untrusted-certificate"],
)
def test_https_refuses_a_certificate_not_valid_for_the_name(
    tls_receiver, certificate, monkeypatch, name, trusted
):
    if trusted:
        trust(monkeypatch, certificate)
    with pytest.raises(transport.DeliveryError) as refused:
        transport.post(f"https://{name}:{tls_receiver.port}/hooks", b"{}", {})
    assert "certificate" in str(refused.value).lower()
    assert tls_receiver.received == []


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 here")
def test_an_ipv6_address_is_called_in_brackets(settings):
    settings.UKIYO_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    try:
        server = serve(Server6(("::1", 0), Handler))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        port = server.server_address[1]
        server.script.append((200, {}, b"", 0))
        sent = send(make_webhook(url=f"http://[::1]:{port}/hooks"))
        assert sent.status == Status.SUCCEEDED, sent.error
        (request,) = server.received
        assert request["headers"]["Host"] == f"[::1]:{port}"
    finally:
        stop(server)
