"""gunicorn's configuration for ukiyo in production (scripts/serve, make serve, make bench).

Everything an operator tunes comes from the environment, like the Django settings; the
reasons for each default are in docs/configuration.md ("Running in production").

    gunicorn -c cms/gunicorn.conf.py cms.wsgi
"""

import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _on(name, default):
    value = os.environ.get(name, "").strip().lower()
    return value in {"1", "true", "yes", "on"} if value else default


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# Where to listen: BIND (host:port, or unix:/run/ukiyo.sock behind a proxy on the same
# machine), else PORT on every interface (platforms that hand out a port), else the loopback.
_port = os.environ.get("PORT", "").strip()
bind = [os.environ.get("BIND", "").strip() or (f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")]

# Processes and threads. A page is rendered in Python, which holds the interpreter's lock:
# threads help only while a request waits (database, cache, a slow client), so processes do
# the work. Each thread keeps its own database connection open (CONN_MAX_AGE), so
# WEB_CONCURRENCY x WEB_THREADS, summed over every machine, must stay below PostgreSQL's
# max_connections (docs/configuration.md, "Database connections").
workers = _int("WEB_CONCURRENCY", 2 * _cores())
threads = _int("WEB_THREADS", 1)
# One thread: the sync worker, one request at a time per process; more: gthread.
worker_class = "sync" if threads == 1 else "gthread"

# A request that takes longer than this kills its worker (and answers 502 at the proxy): a
# page renders in well under a second, an upload is read by the proxy first.
timeout = _int("WEB_TIMEOUT", 30)
# On TERM, HUP or a restart, requests in progress get this long to finish.
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection stays open (gthread only; sync closes every
# connection, which suits a proxy in front).
keepalive = _int("WEB_KEEPALIVE", 5)

# Each worker is replaced after about this many requests (0: never), at staggered moments
# thanks to the jitter, so that a slow leak in a dependency cannot grow without end. The
# application is loaded once, before the workers are forked (preload): a replacement costs
# a fork, not another two seconds of imports, and the workers share the loaded code's memory.
max_requests = _int("WEB_MAX_REQUESTS", 10000)
max_requests_jitter = max_requests // 10
preload_app = _on("WEB_PRELOAD", True)

# The proxies whose X-Forwarded-Proto gunicorn believes (comma-separated addresses or
# networks, "*" for any): the same proxies as TRUSTED_PROXY_COUNT / TRUSTED_CLIENT_IP_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: LOG_FORMAT=json (the default here, as in the production settings) writes gunicorn's
# own messages as the application's are written, one JSON object per line
# (core.logs.JsonFormatter), so that a log collector reads every line of the stream; text
# keeps gunicorn's usual lines.
log_format = os.environ.get("LOG_FORMAT", "").strip().lower() or "json"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")

# The access log goes to standard output, one line per request. With JSON logs the
# application writes that line itself, with the request's id and the user
# (core.middleware.RequestLogMiddleware), so gunicorn's is off unless ACCESS_LOG=on; with
# text logs it is on unless ACCESS_LOG=off (or the proxy logs requests already). It names the
# path without its query string and no Referer: query strings carry preview tokens and what
# readers searched for, and a Referer would bring them back. The address is the connection's
# (the proxy's) followed by X-Forwarded-For as received.
access_log_on = _on("ACCESS_LOG", log_format != "json")
accesslog = "-" if access_log_on else None
access_log_format = (
    '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
)
errorlog = "-"

if log_format == "json":
    # Named by dotted path: the class is imported when gunicorn configures its logs, before
    # the application (and without Django's settings).
    logconfig_dict = {
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["error_console"],
                "propagate": False,
            },
            # gunicorn logs requests whenever a log configuration is given: nothing is
            # written unless the access log is on.
            "gunicorn.access": {
                "level": "INFO" if access_log_on else "CRITICAL",
                "handlers": ["console"] if access_log_on else [],
                "propagate": False,
            },
        },
    }
elif log_format != "text":
    raise RuntimeError(f"LOG_FORMAT: use json or text, not {log_format!r}.")

# The heartbeat file of each worker in memory, not on a container's overlay disk (gunicorn
# makes it with mkstemp: an unpredictable name, readable by its owner only).
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# No control socket (gunicornc) unless asked for: signals do the same, and two servers on one
# machine would fight over the default path in the home directory.
control_socket_disable = not os.environ.get("WEB_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["WEB_CONTROL_SOCKET"]


def pre_fork(server, worker):
    # Nothing should open a database connection while the application is preloaded; if
    # something did, the workers must not inherit its socket and talk over each other.
    from django.conf import settings

    if settings.configured:  # the application was preloaded
        from django.db import connections

        connections.close_all()
