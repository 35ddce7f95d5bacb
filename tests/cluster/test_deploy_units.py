"""The systemd units of deploy/systemd/ run what the cluster in a box runs, and systemd takes them.

Each unit is read by systemd itself (``systemd-analyze verify``), and its command is compared
with the one ``ClusterInABox`` (scripts/cluster.py) runs for the same process, so that the
units docs/deployment.md shows are the commands the cluster test proves, not a copy that could
drift. Nothing is started: the cluster is only asked for its commands and its environment.

``systemd-analyze verify`` also requires every command a unit runs to exist. The units are
copied into a folder of the test where /srv/ukiyo and /etc/ukiyo are folders of its own, with
the release's scripts/serve a link to this checkout's and its .venv/bin/python a link to the
running interpreter.
"""

import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings

import scripts.cluster
from scripts.cluster import ROOT, ClusterInABox

UNITS = ROOT / "deploy" / "systemd"
ENV_FILE = UNITS / "ukiyo.env"
DOCS = ROOT / "docs" / "deployment.md"
# Where the units expect the release servers run (a link to the newest one) and the release a
# setup prepares (the instance of ukiyo-setup@), in place of this checkout.
CURRENT = "/srv/ukiyo/current"
RELEASE = "/srv/ukiyo/releases/%i"
# What the cluster gives its processes that a machine of a real site must not be given.
BOX_ONLY = {
    # The interpreter of the test run; scripts/serve otherwise takes the release's
    # .venv/bin/python, the one the worker's unit names.
    "PYTHON": "the box runs the test's own Python",
    # The box has no TLS terminator; a site redirects plain HTTP to HTTPS (the default).
    "SECURE_SSL_REDIRECT": "no TLS in the box",
}
# An instance of each template: a worker, a release (a date and a commit).
INSTANCES = {"ukiyo-worker@.service": "1", "ukiyo-setup@.service": "2026-12-08.3a74bd8"}


def read_unit(name):
    """{section: {key: value}} of a unit file (no key of ours is given twice)."""
    sections, section = {}, None
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        assert key.strip() not in section, f"{name}: {key} given twice"
        section[key.strip()] = value.strip()
    return sections


def command_of(name):
    service = read_unit(name)["Service"]
    assert not service["ExecStart"].startswith(("-", "@", "+", "!", ":")), name
    return shlex.split(service["ExecStart"])


def environment_file():
    """NAME=value lines of the example environment file, as systemd reads them."""
    names = {}
    for line in ENV_FILE.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(\S+)", line)
        assert match, f"{ENV_FILE.name}: not a NAME=value line: {line!r}"
        names[match[1]] = match[2]
    return names


@pytest.fixture
def cluster():
    """The cluster in a box, asked for its commands and environment; nothing is started."""
    box = ClusterInABox("postgres://ukiyo@10.0.0.2:5432/ukiyo")
    try:
        yield box
    finally:
        shutil.rmtree(box.folder, ignore_errors=True)


def in_release(command, release):
    return [part.replace(str(ROOT), release) for part in command]


def test_the_app_server_unit_runs_what_the_cluster_runs_for_an_app_server(cluster):
    assert command_of("ukiyo-web.service") == in_release(cluster.app("a").command, CURRENT)


def test_the_worker_unit_runs_what_the_cluster_runs_for_its_worker(cluster):
    box = cluster.worker().command
    unit = command_of("ukiyo-worker@.service")
    assert box[0] == cluster.python
    assert unit[0] == f"{CURRENT}/.venv/bin/python"
    assert unit[1:] == in_release(box[1:], CURRENT)
    # The cluster runs it from the project's folder: manage.py is found there.
    assert read_unit("ukiyo-worker@.service")["Service"]["WorkingDirectory"] == CURRENT


def test_the_setup_unit_runs_what_the_cluster_runs_before_its_servers(cluster, monkeypatch):
    run = []

    def record(command, **options):
        run.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(scripts.cluster.subprocess, "run", record)
    cluster.run_setup()
    assert [command_of("ukiyo-setup@.service")] == [in_release(c, RELEASE) for c in run]


def test_every_unit_reads_the_environment_file_as_its_user():
    for name in ("ukiyo-web.service", "ukiyo-worker@.service", "ukiyo-setup@.service"):
        service = read_unit(name)["Service"]
        assert service["EnvironmentFile"] == "/etc/ukiyo/ukiyo.env", name
        assert (service["User"], service["Group"]) == ("ukiyo", "ukiyo"), name
        assert service["NoNewPrivileges"] == "yes", name
        assert service["ProtectSystem"] == "strict", name


def seconds(value):
    assert value.isdigit(), f"TimeoutStopSec in plain seconds, not {value!r}"
    return int(value)


def test_the_app_server_is_stopped_after_its_requests_have_had_their_time(monkeypatch):
    service = read_unit("ukiyo-web.service")["Service"]
    # gunicorn as configured by the environment file (WEB_GRACEFUL_TIMEOUT, if it says).
    for name in ("WEB_GRACEFUL_TIMEOUT", "WEB_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment_file().items():
        monkeypatch.setenv(name, value)
    gunicorn = runpy.run_path(str(ROOT / "cms" / "gunicorn.conf.py"))
    # TERM to gunicorn's arbiter alone: it is gunicorn's graceful stop, and the arbiter stops
    # its workers itself; the kill after TimeoutStopSec reaches them all.
    assert (service["KillSignal"], service["KillMode"]) == ("SIGTERM", "mixed")
    assert seconds(service["TimeoutStopSec"]) > gunicorn["graceful_timeout"]
    assert service["Restart"] == "on-failure"


def test_the_worker_is_stopped_after_its_delivery_and_before_another_worker_takes_it():
    service = read_unit("ukiyo-worker@.service")["Service"]
    assert (service["KillSignal"], service["KillMode"]) == ("SIGTERM", "mixed")
    grace = seconds(service["TimeoutStopSec"])
    # An attempt: the connection and the reads of the answer, WEBHOOK_TIMEOUT each.
    assert grace > 3 * settings.UKIYO_WEBHOOK_TIMEOUT
    # Within its lease, no other worker sends the delivery in hand again.
    assert grace < settings.UKIYO_WEBHOOK_CLAIM_LEASE
    assert service["Restart"] == "on-failure"


def test_the_environment_file_names_everything_the_cluster_gives_its_servers(cluster):
    # Only what the cluster sets, not what it passes on from the machine it runs on.
    with mock.patch.dict(os.environ, clear=True):
        given = set(cluster.app("a").env) | set(cluster.worker().env)
    example = environment_file()
    assert sorted(given - set(BOX_ONLY) - set(example)) == []
    assert sorted(set(BOX_ONLY) & set(example)) == []
    # Each release names itself: its pages are then its own in the page cache.
    assert "RELEASE" in example


@pytest.fixture
def systemd_analyze():
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is missing: `make install-test` installs systemd")
    return found


@pytest.mark.parametrize("name", ["ukiyo-web.service", *INSTANCES])
def test_systemd_takes_the_unit(name, systemd_analyze, tmp_path):
    for unit in UNITS.glob("*.service"):
        text = unit.read_text().replace("/srv/ukiyo", f"{tmp_path}/srv/ukiyo")
        text = text.replace("/etc/ukiyo", f"{tmp_path}/etc/ukiyo")
        (tmp_path / unit.name).write_text(text)
    (tmp_path / "etc" / "ukiyo").mkdir(parents=True)
    shutil.copy(ENV_FILE, tmp_path / "etc" / "ukiyo" / "ukiyo.env")
    instance = INSTANCES.get(name)
    verified = name.replace("@.", f"@{instance}.") if instance else name
    # The executables the unit runs, in the folder of the test.
    folder = f"releases/{instance}" if name.startswith("ukiyo-setup@") else "current"
    release = tmp_path / "srv" / "ukiyo" / folder
    (release / "scripts").mkdir(parents=True)
    (release / "scripts" / "serve").symlink_to(ROOT / "scripts" / "serve")
    (release / ".venv" / "bin").mkdir(parents=True)
    (release / ".venv" / "bin" / "python").symlink_to(os.path.realpath(sys.executable))

    result = subprocess.run(
        [systemd_analyze, "verify", "--man=no", str(tmp_path / verified)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "SYSTEMD_LOG_COLOR": "0"},
    )  # fmt: skip
    # Warnings (an unknown key, a bad value) do not change the exit status: any line about
    # the unit fails the test too.
    said = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0, said
    assert said == []


def test_the_deployment_docs_show_the_files_as_they_are():
    section = DOCS.read_text().split("\n## systemd units\n", 1)[1].split("\n## ", 1)[0]
    shown = re.findall(r"```(?:ini|sh)\n(.*?)```", section, re.DOTALL)
    for name in ("ukiyo-web.service", "ukiyo-worker@.service", "ukiyo-setup@.service", "ukiyo.env"):
        assert (UNITS / name).read_text() in shown, f"docs/deployment.md does not show {name}"
