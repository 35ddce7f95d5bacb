"""Varnish in front of a live ukiyo: the shipped VCL (deploy/varnish/ukiyo.vcl), Debian's
``varnishd``, real HTTP.

One live server and one Varnish serve the whole package: ``varnishd`` compiles the VCL with a
C compiler, which takes a second, and the live server is pytest-django's, started on
127.0.0.1 by the package rather than per test. Varnish forgets everything it stored before
each test (a ban of every object through ``varnishadm``).

Tests that only look at the VCL's rules read views of their own (``tests/cdn/urls.py``), which
touch no data. Tests that read pages create them in a transaction that commits
(``transaction=True``: the live server answers from its own connections) and restore the
database after themselves (``serialized_rollback=True``). The default site then points at
Varnish (``127.0.0.1`` and its port), so that a page's URL, and the purge Wagtail sends for
it, names the host and port the readers' requests carry.
"""

import http.client
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils.encoding import iri_to_uri
from pytest_django.live_server_helper import LiveServer
from wagtail.models import Site

from cms.settings.environment import HTTP_PURGE

VCL = settings.BASE_DIR / "deploy" / "varnish" / "ukiyo.vcl"
BACKEND = re.compile(r'(backend ukiyo \{\s*\.host = )"[^"]*";(\s*\.port = )"[^"]*";')
STARTUP_SECONDS = 30


def varnishd_path():
    path = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")
    if not path:
        pytest.fail(
            "Varnish is not installed, so the CDN tests cannot run. Install it with "
            "`make install-test` (Debian's `varnish` package).",
            pytrace=False,
        )
    return path


def vcl_in_front_of(host, port):
    """The shipped VCL with its backend set to ``host:port``."""
    text, found = BACKEND.subn(rf'\1"{host}";\2"{port}";', VCL.read_text())
    assert found == 1, f"{VCL} no longer declares `backend ukiyo {{ .host ...; .port ...; }}`"
    return text


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def cache(self):
        """Varnish's X-Cache: HIT, HIT-STALE, MISS or PASS."""
        return self.headers.get("X-Cache")

    @property
    def cache_control(self):
        return {
            part.strip().split("=")[0].lower()
            for part in self.headers.get("Cache-Control", "").split(",")
            if part.strip()
        }


@dataclass
class Varnish:
    port: int
    workdir: Path
    process: subprocess.Popen

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def request(self, method, path, headers=None, cookies=None, source="127.0.0.1", body=None):
        """One HTTP request to Varnish from ``source`` (any 127.x.y.z address of this machine);
        redirects are not followed."""
        headers = dict(headers or {})
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=20, source_address=(source, 0)
        )
        try:
            connection.request(method, iri_to_uri(path), body=body, headers=headers)
            response = connection.getresponse()
            return Answer(
                response.status, response.headers, response.read().decode("utf-8", "replace")
            )
        finally:
            connection.close()

    def get(self, path, **options):
        return self.request("GET", path, **options)

    def forget_everything(self):
        subprocess.run(
            ["varnishadm", "-n", str(self.workdir), "ban", "req.url ~ ."],
            check=True,
            capture_output=True,
            timeout=20,
        )


@pytest.fixture(scope="package")
def backend(django_db_setup):
    """ukiyo, served by pytest-django's live server on 127.0.0.1, with its own Cache-Control
    for reader pages (the page cache's, ``core.pagecache``)."""
    server = LiveServer("127.0.0.1:0")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture(scope="package")
def varnish(backend):
    """``varnishd`` with the shipped VCL in front of ``backend``, for the whole package."""
    executable = varnishd_path()
    # Not pytest's tmp_path: that folder is private to this user, and varnishd, started as
    # root, runs its compiler and its cache under users of its own that must reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="ukiyo-varnish-"))
    folder.chmod(0o755)
    vcl = folder / "ukiyo.vcl"
    host, port = backend.thread.host, backend.thread.port
    vcl.write_text(vcl_in_front_of(host, port))
    vcl.chmod(0o644)
    workdir = folder / "work"
    log = (folder / "varnishd.log").open("w+")
    listen = free_port()
    process = subprocess.Popen(
        [
            executable,
            "-F",
            "-n",
            str(workdir),
            "-a",
            f"127.0.0.1:{listen}",
            "-f",
            str(vcl),
            "-s",
            "malloc,32m",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(process, listen, log)
        yield Varnish(port=listen, workdir=workdir, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(process, port, log):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"varnishd stopped at once:\n{log.read()}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    log.seek(0)
    pytest.fail(f"varnishd did not answer within {STARTUP_SECONDS} s:\n{log.read()}", pytrace=False)


@pytest.fixture(autouse=True)
def empty_caches(varnish):
    """Nothing a previous test stored, in Varnish or in Django's cache."""
    varnish.forget_everything()
    cache.clear()


@pytest.fixture
def purging(settings, varnish):
    """Changes purge this Varnish, as ``FRONTEND_CACHE_PURGE_URL`` would make them."""
    settings.WAGTAILFRONTENDCACHE = {"varnish": {"BACKEND": HTTP_PURGE, "LOCATION": varnish.url}}


@pytest.fixture
def site_behind_varnish(varnish, home):
    """The default site, under the host and port readers reach it at: Varnish's."""
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "127.0.0.1", varnish.port
    site.save()
    return site
