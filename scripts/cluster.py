"""A cluster in a box: every process of a multi-server ukiyo, started on this machine.

Redis (the shared cache and page cache), moto's S3 server (the media bucket), two app servers
on ports of their own (gunicorn through scripts/serve, production settings), the webhook
worker (``manage.py db_worker``), and Varnish in front of the app servers
(deploy/varnish/cluster.vcl: the rules of ukiyo.vcl with a round-robin director and health
probes on /readyz). PostgreSQL is the one named by ``DATABASE_URL``: scripts/cluster runs this
module under scripts/with-postgres, which starts a throwaway cluster; the tests bring their
own, which they stop and start.

    python -m scripts.cluster            start, print every address, wait for Ctrl-C
    python -m scripts.cluster --help

Everything stops on Ctrl-C, SIGTERM or any exit, and the working folder is removed.
docs/deployment.md ("Cluster in a box") shows the output and the configuration.
"""

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VCL = ROOT / "deploy" / "varnish" / "cluster.vcl"
START_SECONDS = 120
BUCKET = "ukiyo-media"
# moto accepts any credentials; the app servers sign their requests with these.
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ukiyo-cluster",
    "AWS_SECRET_ACCESS_KEY": "ukiyo-cluster-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# What the machine's environment may say that would make the processes differ from the
# cluster's own configuration.
INHERITED_NOT = {
    "BIND", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "GUNICORN_CMD_ARGS", "CACHE_URL",
    "PAGE_CACHE_URL", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT", "MEDIA_BUCKET",
    "MEDIA_ENDPOINT_URL", "MEDIA_CUSTOM_DOMAIN", "FRONTEND_CACHE_PURGE_URL", "AWS_PROFILE",
    "AWS_SESSION_TOKEN", "LOG_FORMAT",
}  # fmt: skip


class ClusterError(RuntimeError):
    """A process did not start, or did not become ready in time."""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_status(port, path, timeout=5):
    """The status of ``GET path`` on 127.0.0.1:port, or None when nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Process:
    """One process of the cluster: how to start it, where it listens, where it logs."""

    name: str
    command: list
    log: Path
    env: dict = field(default_factory=dict)
    port: int | None = None
    ready: object = None  # a callable: True once the process serves
    popen: subprocess.Popen | None = None

    @property
    def address(self):
        return f"http://127.0.0.1:{self.port}" if self.port else "(no port)"

    def start(self):
        with self.log.open("a") as log:
            self.popen = subprocess.Popen(  # noqa: S603 (the cluster's own commands)
                self.command, cwd=ROOT, env=self.env or None, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, seconds=START_SECONDS):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise ClusterError(f"{self.name} stopped at once:\n{self.tail()}")
            if self.ready is None or self.ready():
                return self
            time.sleep(0.2)
        raise ClusterError(f"{self.name} was not ready within {seconds} s:\n{self.tail()}")

    def tail(self, characters=3000):
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""

    def stop(self, timeout=30):
        """SIGTERM (app servers finish the requests in hand, the worker its task), then
        SIGKILL after ``timeout`` seconds."""
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        """SIGKILL to the process and its children (gunicorn's workers): a crash."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()


def cluster_vcl(port_a, port_b):
    """deploy/varnish/cluster.vcl with the app servers' ports in place of 8001 and 8002."""
    text = VCL.read_text()
    if (text.count('.port = "8001";'), text.count('.port = "8002";')) != (2, 2):
        raise ClusterError(f"{VCL} no longer declares app server A on 8001 and B on 8002")
    return text.replace('.port = "8001";', f'.port = "{port_a}";').replace(
        '.port = "8002";', f'.port = "{port_b}";'
    )


class ClusterInABox:
    """The processes, started in order by ``start()`` and stopped by ``stop()``.

    ``database_url``: the PostgreSQL everything shares. ``settings``: the app servers' and the
    worker's settings module. ``prepare``: run scripts/serve --setup-only (migrations,
    collectstatic) first; the tests start from a copy of their migrated database instead.
    """

    def __init__(self, database_url, *, settings="cms.settings.production", prepare=True,
                 python=sys.executable, extra_env=None):  # fmt: skip
        self.database_url = database_url
        self.settings = settings
        self.prepare = prepare
        self.python = python
        self.extra_env = extra_env or {}
        self.folder = Path(tempfile.mkdtemp(prefix="ukiyo-cluster-"))
        # varnishd, started as root, compiles and runs as users of its own: they read here.
        self.folder.chmod(0o755)
        self.ports = {name: free_port() for name in ("redis", "s3", "a", "b", "varnish")}
        self.processes = {}

    # --- The environment of the app servers and the worker ------------------------------

    @property
    def varnish_url(self):
        return f"http://127.0.0.1:{self.ports['varnish']}"

    def app_env(self):
        environ = {k: v for k, v in os.environ.items() if k not in INHERITED_NOT}
        s3 = f"http://127.0.0.1:{self.ports['s3']}"
        environ.update(S3_CREDENTIALS)
        environ.update(
            PYTHON=self.python,
            DJANGO_SETTINGS_MODULE=self.settings,
            DATABASE_URL=self.database_url,
            CACHE_URL=f"redis://127.0.0.1:{self.ports['redis']}/0",
            MEDIA_BUCKET=BUCKET,
            MEDIA_ENDPOINT_URL=s3,
            MEDIA_REGION="us-east-1",
            MEDIA_CUSTOM_DOMAIN=f"{s3}/{BUCKET}/",
            MEDIA_ACL="public-read",
            SECRET_KEY="cluster-in-a-box-" + "s" * 40,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            # No TLS terminator here: plain HTTP, and Varnish is the address readers use.
            SECURE_SSL_REDIRECT="false",
            FRONTEND_CACHE_PURGE_URL=self.varnish_url,
            WAGTAILADMIN_BASE_URL=self.varnish_url,
            WAGTAILAPI_BASE_URL=self.varnish_url,
            STATIC_ROOT=str(self.folder / "static"),
            WEB_CONCURRENCY="2",
            WEB_THREADS="4",
        )
        environ.update(self.extra_env)
        return environ

    # --- The processes --------------------------------------------------------------------

    def redis(self):
        port = self.ports["redis"]
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        return Process(
            "redis", [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                      "--appendonly", "no", "--dir", str(self.folder)],
            self.folder / "redis.log", port=port, ready=lambda: redis_answers(port),
        )  # fmt: skip

    def s3(self):
        port = self.ports["s3"]
        return Process(
            "s3", [self.python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            self.folder / "s3.log", port=port, ready=lambda: http_status(port, "/moto-api/") == 200,
        )  # fmt: skip

    def app(self, name):
        port = self.ports[name]
        env = {**self.app_env(), "BIND": f"127.0.0.1:{port}"}
        return Process(
            f"app-{name}", [str(ROOT / "scripts" / "serve"), "--no-setup"],
            self.folder / f"app-{name}.log", env=env, port=port,
            ready=lambda: http_status(port, "/readyz") == 200,
        )  # fmt: skip

    def worker(self):
        return Process(
            "worker", [self.python, "manage.py", "db_worker", "--backend", "worker",
                       "--queue-name", "*", "--interval", "0.5"],
            self.folder / "worker.log", env=self.app_env(),
        )  # fmt: skip

    def varnish(self):
        port = self.ports["varnish"]
        vcl_folder = self.folder / "vcl"
        vcl_folder.mkdir(exist_ok=True)
        vcl_folder.chmod(0o755)
        shutil.copy(VCL.parent / "ukiyo.vcl", vcl_folder / "ukiyo.vcl")
        (vcl_folder / "cluster.vcl").write_text(cluster_vcl(self.ports["a"], self.ports["b"]))
        for file in vcl_folder.iterdir():
            file.chmod(0o644)
        executable = shutil.which("varnishd") or "/usr/sbin/varnishd"
        return Process(
            "varnish", [executable, "-F", "-n", str(self.folder / "varnish"),
                        "-a", f"127.0.0.1:{port}", "-p", f"vcl_path={vcl_folder}",
                        "-f", str(vcl_folder / "cluster.vcl"), "-s", "malloc,64m"],
            self.folder / "varnish.log", port=port,
            ready=lambda: http_status(port, "/healthz") == 200,
        )  # fmt: skip

    # --- Starting and stopping ------------------------------------------------------------

    def start(self, report=None):
        """Start every process, each once the ones it needs are ready; ``report(line)`` hears
        about each as it becomes ready."""
        report = report or (lambda line: None)
        try:
            for process in (self.redis(), self.s3()):
                self.processes[process.name] = process.start()
            for name in ("redis", "s3"):
                self.processes[name].wait_ready()
                report(f"{name:8} ready  {self.processes[name].address}")
            self.create_bucket()
            if self.prepare:
                self.run_setup()
            for process in (self.app("a"), self.app("b"), self.worker(), self.varnish()):
                self.processes[process.name] = process.start()
            for name in ("app-a", "app-b", "worker", "varnish"):
                self.processes[name].wait_ready()
                report(f"{name:8} ready  {self.processes[name].address}")
            self.name_the_site()
        except BaseException:
            self.stop()
            raise
        return self

    def create_bucket(self):
        import boto3

        client = boto3.client(
            "s3", endpoint_url=self.processes["s3"].address, region_name="us-east-1",
            aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )  # fmt: skip
        client.create_bucket(Bucket=BUCKET)

    def name_the_site(self):
        """Give the default site Varnish's address: the one readers use. Pages' URLs, and so
        the purges a publication sends, name the site's host and port (docs/configuration.md,
        "CDN and Varnish"); under any other name Varnish would keep serving the old lists."""
        self.manage("shell", "-c", (
            "from wagtail.models import Site\n"
            "site = Site.objects.get(is_default_site=True)\n"
            f"site.hostname, site.port = '127.0.0.1', {self.ports['varnish']}\n"
            "site.save()\n"
        ))  # fmt: skip

    def run_setup(self):
        log = self.folder / "setup.log"
        with log.open("w") as out:
            result = subprocess.run(  # noqa: S603 (scripts/serve, fixed arguments)
                [str(ROOT / "scripts" / "serve"), "--setup-only"], cwd=ROOT, env=self.app_env(),
                stdout=out, stderr=subprocess.STDOUT, timeout=600, check=False,
            )  # fmt: skip
        if result.returncode != 0:
            raise ClusterError(f"scripts/serve --setup-only failed:\n{log.read_text()[-3000:]}")

    def restart(self, name):
        """Start ``name`` again (after a kill) with the same command, port and log."""
        process = self.processes[name]
        process.stop()
        process.start().wait_ready()
        return process

    def manage(self, *arguments):
        """``manage.py arguments`` with the app servers' environment; its standard output."""
        result = subprocess.run(  # noqa: S603 (manage.py with the caller's arguments)
            [self.python, "manage.py", *arguments], cwd=ROOT, env=self.app_env(),
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise ClusterError(f"manage.py {' '.join(arguments)} failed:\n{result.stderr}")
        return result.stdout

    def summary(self):
        """One line per process: name, address, pid, state (and for the app servers, what
        /readyz answers)."""
        lines = []
        for name, process in self.processes.items():
            state = "running" if process.alive() else "stopped"
            if name.startswith("app-") and process.alive():
                state += f", /readyz {http_status(process.port, '/readyz')}"
            pid = process.popen.pid if process.popen else "-"
            lines.append(f"{name:8} {process.address:24} pid {pid:<7} {state}  log {process.log}")
        return lines

    def stop(self):
        """Stop everything, the front first, and remove the working folder."""
        for name in ("varnish", "app-a", "app-b", "worker", "s3", "redis"):
            if name in self.processes:
                self.processes[name].stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="scripts/cluster",
        description="Start Redis, an S3 server, two ukiyo app servers, the webhook worker "
        "and Varnish on this machine, against DATABASE_URL; Ctrl-C stops them all.",
    )
    parser.add_argument(
        "--no-setup", action="store_true",
        help="skip migrations and collectstatic (the database is ready)",
    )  # fmt: skip
    parser.add_argument(
        "--superuser", default="admin",
        help="create this admin user and an API token for it ('' for none)",
    )  # fmt: skip
    options = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        parser.error("DATABASE_URL is not set (scripts/cluster starts a throwaway PostgreSQL)")

    cluster = ClusterInABox(database_url, prepare=not options.no_setup)

    def interrupted(number, frame):
        raise KeyboardInterrupt

    # Both, explicitly: a shell starts a background job with SIGINT ignored.
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    print(f"postgres ready  {database_url}", flush=True)
    try:
        cluster.start(report=lambda line: print(line, flush=True))
        token = None
        if options.superuser:
            cluster.manage("shell", "-c", (
                "from django.contrib.auth import get_user_model; U = get_user_model(); "
                f"U.objects.filter(username={options.superuser!r}).exists() or "
                f"U.objects.create_superuser({options.superuser!r}, 'admin@example.org', 'admin')"
            ))  # fmt: skip
            token = cluster.manage(
                "api_tokens", "create", "--user", options.superuser, "--name", "cluster"
            ).strip()
        print(f"\nReady in {time.monotonic() - started:.0f} s:", flush=True)
        for line in cluster.summary():
            print("  " + line, flush=True)
        print(f"\nReaders and API clients: {cluster.varnish_url}/ja/", flush=True)
        if token:
            print(f"Admin: {cluster.varnish_url}/admin/ ({options.superuser} / admin); "
                  f"API token: {token}", flush=True)  # fmt: skip
        print("Ctrl-C stops everything.", flush=True)
        while all(process.alive() for process in cluster.processes.values()):
            time.sleep(1)
        print("A process stopped:", flush=True)
        for line in cluster.summary():
            print("  " + line, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except ClusterError as error:
        print(f"scripts/cluster: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
