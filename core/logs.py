"""What ukiyo writes to its logs: one line per request, the request id on every line, and
JSON in production (docs/deployment.md, "Operations").

A request gets an id (``X-Request-ID``: the proxy's or the client's when it is a sane value,
else a new one), which ``core.middleware.RequestLogMiddleware`` keeps here until the answer
has been sent (``forget_request_id``); ``RequestIdFilter`` puts it on every record logged
meanwhile, whichever logger wrote it, so that a traceback and the request's line can be
found together. Each thread serves one request at a time and has its own copy.

Nothing here imports the applications: the settings' ``LOGGING`` and gunicorn's own log
configuration name these classes before any app is loaded.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

# The id of the request this thread is serving; None between requests.
current_request_id = contextvars.ContextVar("ukiyo_request_id", default=None)

# An id a proxy or client may choose: what request ids look like in practice (UUIDs, hex,
# nginx's $request_id, AWS's "Root=1-5e1b...", Heroku's), and nothing that could forge a log
# line or fill the log: no spaces, quotes or control characters, at most 128 characters.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")


def forget_request_id(**kwargs):
    """``request_finished``'s receiver: the thread is done with its request."""
    current_request_id.set(None)


def request_id_for(header_value):
    """The id of a request that sent ``header_value`` (None if none) as its ``X-Request-ID``:
    that value when it is sane, else a new id, 32 hexadecimal digits."""
    if header_value and SANE_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record (``record.request_id``, None outside a
    request). Set on the handlers, so that it sees the records of every logger."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True


class QuietDatabaseOutageFilter(logging.Filter):
    """While the database is away, each request answered 503 (``cms.views.server_error``)
    logs one warning line, not an error with a traceback: an outage of a minute would
    otherwise bury the log in hundreds of identical tracebacks. Set on ``django.request``."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if error is None or getattr(record, "status_code", None) != 503:
            return True
        from .health import database_unavailable

        if database_unavailable(error):
            first_line = (str(error).strip().splitlines() or [""])[0]
            record.msg = f"{record.msg} (the database is unavailable: %s: %s)"
            record.args = (*(record.args or ()), type(error).__name__, first_line)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


# What a record may add to the JSON line beyond its message: the request line's fields
# (``core.middleware.RequestLogMiddleware``). Anything else a caller passes in ``extra``
# (Django passes the whole request) stays out: it could carry cookies or credentials.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC), ``level``, ``logger``, ``message``, the
    ``request_id`` during a request, the request line's fields, ``exception`` with its
    traceback as one string."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            entry["request_id"] = request_id
        for field in REQUEST_FIELDS:
            if (value := getattr(record, field, None)) is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """A line to read on a console: level, logger and message, then the request's id."""

    def __init__(self):
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record):
        line = super().format(record)
        if request_id := getattr(record, "request_id", None):
            first, newline, rest = line.partition("\n")
            line = f"{first} [request {request_id}]{newline}{rest}"
        return line
