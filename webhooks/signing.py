"""HMAC-SHA256 signatures of webhook requests.

The signed message is ``"<timestamp>.<body>"``: the timestamp is inside the signature, so
a receiver that rejects old timestamps rejects replays of a captured request too.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Ukiyo-Signature"
TIMESTAMP_HEADER = "X-Ukiyo-Timestamp"


def signature(secret, timestamp, body):
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets, timestamp, body):
    """``t=<timestamp>,v1=<hex>[,v1=<hex>]``: one ``v1`` per secret in use."""
    parts = [f"t={timestamp}"]
    parts += [f"v1={signature(secret, timestamp, body)}" for secret in secrets]
    return ",".join(parts)


def verify(secret, header, body, *, now, tolerance=300):
    """Whether ``header`` signs ``body`` with ``secret``, made within ``tolerance`` s of ``now``.

    What a receiver does; ukiyo uses it only in its tests and documentation.
    """
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in fields if key == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, value) for key, value in fields if key == "v1")
