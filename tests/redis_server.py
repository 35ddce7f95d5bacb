"""A real Redis for the tests: Debian's ``redis-server`` on a free port of 127.0.0.1, in a
folder of its own, without persistence (a restart starts empty, as the cache's Redis should).

Tests stop it (``stop``), start it again (``start``), or freeze it (``pause``: the process
stops answering but keeps its connections and its data, as a hung or unreachable Redis does)
and let it go on (``resume``).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

STARTUP_SECONDS = 20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_path():
    path = shutil.which("redis-server") or shutil.which(
        "redis-server", path="/usr/bin:/usr/sbin:/usr/local/bin"
    )
    if not path:
        pytest.fail(
            "redis-server is not installed, so the shared-cache tests cannot run. Install it "
            "with `make install-test` (Debian's `redis-server` package).",
            pytrace=False,
        )
    return path


class RedisServer:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = free_port()
        self.process = None
        self.paused = False

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self):
        log = (self.folder / "redis.log").open("a")
        self.process = subprocess.Popen(
            [
                redis_server_path(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server stopped at once:\n{self.log()}", pytrace=False)
            if self.command(b"PING") == b"+PONG":
                return
            time.sleep(0.05)
        pytest.fail(f"redis-server did not answer within {STARTUP_SECONDS} s", pytrace=False)

    def stop(self):
        self.resume()
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def pause(self):
        """Freeze the server: connections still open, nothing answered."""
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self):
        if self.paused and self.running:
            os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def command(self, line):
        """One inline command's first reply line (None when nothing answers)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(line + b"\r\n")
                return sock.recv(4096).split(b"\r\n", 1)[0]
        except OSError:
            return None

    def flush(self):
        assert self.command(b"FLUSHALL") == b"+OK"

    def keys(self, pattern="*"):
        """How many keys the server holds whose names match ``pattern``."""
        reply = self.command(b"KEYS " + pattern.encode())
        return int(reply[1:])

    def log(self):
        return (self.folder / "redis.log").read_text(errors="replace")
