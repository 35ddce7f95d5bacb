"""Load-test ukiyo's production server over HTTP, every figure beside a bare view's.

Usage (``make bench`` installs wrk and redis-server first):

    .venv/bin/python scripts/bench_http.py [--duration 10] [--connections 8] [--threads 1]

It starts a throwaway PostgreSQL (scripts/with-postgres; an existing DATABASE_URL is never
used), migrates it, loads the demo and collects the static files into a temporary folder,
starts Redis on a free local port as the cache (CACHE_URL=redis://...), and the production
server (gunicorn with cms/gunicorn.conf.py) twice with production settings: once as
configured (the cached pages, and the API's kept answers: ``api.kept``), once with nothing
kept whole (PAGE_CACHE=off, API_KEPT_ANSWERS=off) for the uncached pages and the API answers
built (each page rendered, each API answer built; the header, footer and banner data a page
shares with every page, an article's kept parts and the kept parts of a page's API answer
(``api.parts``) come from the cache, as for a logged-in reader or a token holder;
``scripts/bench_pages.py`` also times an article and its v3 detail whose kept parts are
stale). Then
wrk loads each URL in turn, after a
warm-up, and the table gives requests per second, the median and 99th percentile latency, and
the ratio of the requests per second to the bare view's (``/bench/bare/``: a few bytes through
the whole middleware stack, added by cms.settings.bench only). Every process it started is
stopped on exit, Ctrl-C included.

Figures depend on the machine and on whatever else runs on it: compare ratios from one run,
on a machine that is otherwise idle.
"""

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
INNER = "UKIYO_BENCH_CLUSTER"
sys.path.insert(0, str(ROOT))

# (name for --only, label, which server answers: "cached" as configured, "uncached" with
# PAGE_CACHE=off and API_KEPT_ANSWERS=off, key of the path in paths()).
ROWS = [
    ("bare", "bare view", "cached", "bare"),
    ("article-uncached", "article, uncached", "uncached", "article"),
    ("article", "article, cached", "cached", "article"),
    ("home-uncached", "home, uncached", "uncached", "home"),
    ("home", "home, cached", "cached", "home"),
    ("articles-uncached", "All Articles, uncached", "uncached", "articles"),
    ("articles", "All Articles, cached", "cached", "articles"),
    ("search", "search", "cached", "search"),
    ("v2-detail-built", "v2 detail, built", "uncached", "v2_detail"),
    ("v2-detail", "v2 detail, kept", "cached", "v2_detail"),
    ("v3-detail-built", "v3 detail, built", "uncached", "v3_detail"),
    ("v3-detail", "v3 detail, kept", "cached", "v3_detail"),
    ("v3-cards-built", "v3 cards, built", "uncached", "v3_cards"),
    ("v3-cards", "v3 cards, kept", "cached", "v3_cards"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per row (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before a row")
    parser.add_argument(
        "--connections", type=int, default=8, help="open connections wrk keeps (default 8)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk's threads (default 1: it shares the cores)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes, WEB_CONCURRENCY (default 2)"
    )
    parser.add_argument(
        "--web-threads", type=int, default=1, help="threads per server process, WEB_THREADS"
    )
    parser.add_argument(
        "--servers",
        default="gunicorn",
        help="comma-separated: gunicorn (the project's), granian (pip install granian first) "
        "to compare them row by row, interleaved",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every row this many times (median shown)"
    )
    parser.add_argument(
        "--gzip", action="store_true", help="send Accept-Encoding: gzip, as browsers do"
    )
    parser.add_argument(
        "--access-log", action="store_true", help="keep the access log on (off by default)"
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="measure nothing: keep the prepared servers running until Ctrl-C (for a browser "
        "audit of the production setup)",
    )
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated rows to run, of: {', '.join(row[0] for row in ROWS)} "
        "(the bare view always runs)",
    )
    args = parser.parse_args()
    if args.threads > args.connections:
        parser.error("--threads cannot exceed --connections")
    args.servers = [name.strip() for name in args.servers.split(",") if name.strip()]
    for name in args.servers:
        if name not in SERVERS:
            parser.error(f"unknown server {name!r}: {', '.join(SERVERS)}")
    return args


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(port, args):
    return [
        str(VENV_BIN / "gunicorn"),
        "-c",
        str(ROOT / "cms" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "cms.wsgi",
    ]


def granian_command(port, args):
    # Every count explicit: granian's defaults give a WSGI worker many blocking threads, each
    # of which keeps a database connection open.
    return [
        str(VENV_BIN / "granian"),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--blocking-threads",
        str(args.web_threads),
        "--backpressure",
        str(args.web_threads),
        "--runtime-threads",
        "1",
        "--no-ws",
        *(["--access-log"] if args.access_log else []),
        "cms.wsgi:application",
    ]


SERVERS = {"gunicorn": gunicorn_command, "granian": granian_command}


class Processes:
    """The processes the benchmark started, each in its own process group, stopped on exit."""

    def __init__(self):
        self.started = []

    def start(self, command, log, env):
        with open(log, "ab") as out:
            process = subprocess.Popen(  # noqa: S603 (our own commands)
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def stop_all(self):
        for process in reversed(self.started):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 15
        for process in reversed(self.started):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def run(command, env, log):
    with open(log, "ab") as out:
        result = subprocess.run(  # noqa: S603 (our own commands)
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode:
        sys.stdout.write(Path(log).read_text()[-4000:])
        raise SystemExit(f"{' '.join(command)} failed (exit status {result.returncode})")


def wait_for(check, what, process, log, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.stdout.write(Path(log).read_text()[-4000:])
            raise SystemExit(f"{what} exited (status {process.returncode}); its log is above")
        if check():
            return
        time.sleep(0.2)
    sys.stdout.write(Path(log).read_text()[-4000:])
    raise SystemExit(f"{what} did not answer within {seconds} s; its log is above")


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def status_of(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (local http)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def paths(env):
    """The URL path of each kind of row, read from the demo through Django."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from news.models import ArticlePage

    article = ArticlePage.objects.live().filter(locale__language_code="ja").order_by("path").first()
    if article is None:
        raise SystemExit("The demo has no Japanese article.")
    found = {
        "bare": "/bench/bare/",
        "article": quote(article.get_url(), safe="/"),
        "home": "/ja/",
        "articles": "/ja/articles/",
        "search": "/ja/search/?q=" + quote("JAXA"),
        "v2_detail": f"/api/v2/pages/{article.pk}/",
        "v3_detail": f"/api/v3/pages/{article.pk}/",
        "v3_cards": "/api/v3/articles/?locale=ja",
    }
    connection.close()
    return found


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def milliseconds(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match[1]) * UNITS[match[2]]


def wrk(url, seconds, args, headers):
    command = [
        "wrk",
        "--latency",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
    ]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(  # noqa: S603 (wrk, fixed arguments)
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rate and p50 and p99):
        raise SystemExit(f"Could not read wrk's output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rate": float(rate[1]),
        "p50": milliseconds(p50[1]),
        "p99": milliseconds(p99[1]),
        "errors": errors + (int(bad[1]) if bad else 0),
    }


def load_average():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main():
    args = parse_args()
    if not os.environ.get(INNER):
        # Start again inside a throwaway PostgreSQL cluster, never on a database that exists.
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env[INNER] = "1"
        command = [str(ROOT / "scripts" / "with-postgres"), sys.executable, __file__]
        os.execve(command[0], [*command, *sys.argv[1:]], env)  # noqa: S606
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: `make bench` installs it (Debian).")
    for name in args.servers:
        if not (VENV_BIN / name).exists():
            raise SystemExit(f"{name} is not installed in {VENV_BIN.parent.name}.")

    # A TERM (or a closed terminal) stops the processes as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    processes = Processes()
    work = Path(tempfile.mkdtemp(prefix="ukiyo-bench-"))
    try:
        bench(args, processes, work)
    finally:
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)


def bench(args, processes, work):
    redis_port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.bench",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        # One client sends every request: the per-address search limit would answer 429.
        "SEARCH_RATE_LIMIT": "off",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        # The pages' images come from the same server, as behind a CDN without a web server.
        "SERVE_MEDIA": "on",
        "WEB_CONCURRENCY": str(args.workers),
        "WEB_THREADS": str(args.web_threads),
        "ACCESS_LOG": "on" if args.access_log else "off",
        "LOG_LEVEL": "WARNING",
    }
    log = work / "setup.log"
    redis_log = work / "redis.log"
    redis = processes.start(
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(work),
        ],
        redis_log,
        env,
    )
    wait_for(lambda: redis_answers(redis_port), "redis-server", redis, redis_log)

    print("Preparing: migrate, load_demo, collectstatic ...", flush=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    run([*manage, "migrate", "--noinput"], env, log)
    run([*manage, "load_demo", "--no-admin"], env, log)
    run([*manage, "collectstatic", "--noinput"], env, log)
    urls = paths(env)

    servers = {}  # (server name, "cached" | "uncached") -> base URL
    for name in args.servers:
        for mode in ("cached", "uncached"):
            port = free_port()
            switch = "on" if mode == "cached" else "off"
            server_env = {**env, "PAGE_CACHE": switch, "API_KEPT_ANSWERS": switch}
            server_log = work / f"{name}-{mode}.log"
            process = processes.start(SERVERS[name](port, args), server_log, server_env)
            base = f"http://127.0.0.1:{port}"
            wait_for(
                lambda base=base: status_of(base + urls["bare"]) == 200,
                f"{name} ({mode})",
                process,
                server_log,
            )
            servers[name, mode] = base

    if args.serve:
        for (name, mode), base in servers.items():
            print(f"{name}, page cache {'on' if mode == 'cached' else 'off'}: {base}/ja/")
        print("Ctrl-C stops the servers, Redis and PostgreSQL.", flush=True)
        signal.pause()
        return

    headers = ["Accept-Encoding: gzip"] if args.gzip else []
    rows = ROWS
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        unknown = wanted - {row[0] for row in ROWS}
        if unknown:
            raise SystemExit(f"--only: no such row: {', '.join(sorted(unknown))}")
        rows = [row for row in ROWS if row[0] == "bare" or row[0] in wanted]
    for _, label, mode, key in rows:
        for name in args.servers:
            url = servers[name, mode] + urls[key]
            status = status_of(url, dict(header.split(": ") for header in headers))
            if status != 200:
                raise SystemExit(f"{label}: {urls[key]} answered {status} on {name}")

    print(
        f"wrk: {args.connections} connections, {args.threads} thread(s), {args.duration} s per "
        f"row after {args.warmup} s of warm-up, {args.rounds} round(s)"
        f"{', Accept-Encoding: gzip' if args.gzip else ''}\n"
        f"server: {args.workers} processes x {args.web_threads} thread(s), cms.settings.bench "
        f"(production), PostgreSQL with CONN_MAX_AGE=60, Redis cache; "
        f"{os.cpu_count()} CPUs, load average before: {load_average()}",
        flush=True,
    )
    results = {}
    for round_number in range(args.rounds):
        # Alternate which server goes first, so that neither always follows the other.
        order = args.servers if round_number % 2 == 0 else list(reversed(args.servers))
        for _, label, mode, key in rows:
            for name in order:
                url = servers[name, mode] + urls[key]
                if args.warmup:
                    wrk(url, args.warmup, args, headers)
                results.setdefault((label, name), []).append(wrk(url, args.duration, args, headers))
                print(".", end="", flush=True)
    print(f"\nload average after: {load_average()}\n")
    report(rows, args.servers, urls, results)


def report(rows, names, urls, results):
    width = max(len(row[1]) for row in rows) + 2
    print(
        f"{'row':<{width}}{'server':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'ratio':>8}{'errors':>8}  path"
    )
    bare = {}
    for _, label, _, key in rows:
        for name in names:
            runs = results[label, name]
            rate = statistics.median(r["rate"] for r in runs)
            if key == "bare":
                bare[name] = rate
            print(
                f"{label:<{width}}{name:<10}{rate:>9.1f}"
                f"{statistics.median(r['p50'] for r in runs):>9.2f}"
                f"{statistics.median(r['p99'] for r in runs):>9.2f}"
                f"{rate / bare[name]:>8.3f}{sum(r['errors'] for r in runs):>8}  {urls[key]}"
            )


if __name__ == "__main__":
    main()
