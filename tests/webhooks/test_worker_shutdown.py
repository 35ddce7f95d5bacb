"""The webhook worker on SIGTERM (a deployment, a process manager's stop): the delivery in
hand is sent and recorded, then the worker exits; an idle worker exits at once.

A real worker process (``manage.py db_worker`` as documented, production settings) on the
suite's test database, delivering to a receiver on 127.0.0.1 that holds its answer until the
test has sent the signal. The rows are committed (``transaction=True``) so that the worker's
own connection sees them.
"""

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from changes.models import ContentChange
from webhooks.management.commands.db_worker import Worker
from webhooks.models import WebhookDelivery

from .conftest import make_webhook

ROOT = Path(__file__).resolve().parents[2]
WORKER = ["db_worker", "--backend", "worker", "--queue-name", "*", "--no-reload"]
WORKER += ["--no-startup-delay", "--interval", "0.1"]
START_SECONDS = 90

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class SlowReceiver(http.server.ThreadingHTTPServer):
    """Answers each POST with 200 once ``release`` is set; ``arrived`` is set meanwhile."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.received = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(self.path)
        self.server.arrived.set()
        self.server.release.wait(30)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = SlowReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def database_url():
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def worker(tmp_path):
    """The worker as a deployment runs it, started and polling."""
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "worker-test-" + "k" * 40,
        "ALLOWED_HOSTS": "news.example",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "on",
        "LOG_FORMAT": "text",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", *WORKER],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_SECONDS
    while "Starting worker" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the worker did not start:\n{log.read_text()}", pytrace=False)
        time.sleep(0.1)
    yield process, log
    if process.poll() is None:
        process.kill()
        process.wait()


def test_sigterm_lets_the_delivery_in_hand_finish(worker, receiver):
    process, log = worker
    make_webhook(url=receiver.url)
    ContentChange.objects.create(
        event="page.published",
        object_type="news.ArticlePage",
        object_id=42,
        locale="en",
        data={"title": "Moon landing", "url_path": "/home/articles/moon/"},
    )
    assert receiver.arrived.wait(60), log.read_text()

    process.send_signal(signal.SIGTERM)
    time.sleep(1)
    # Still at work: the receiver has not answered yet.
    assert process.poll() is None, log.read_text()
    receiver.release.set()
    exit_status = process.wait(timeout=60)

    assert exit_status == 0, log.read_text()
    assert "stopping after the task in hand" in log.read_text()
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SUCCEEDED, 1)
    assert delivery.response_status == 200
    [task] = DBTaskResult.objects.filter(backend_name="worker")
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(receiver.received) == 1


def test_an_idle_worker_stops_at_once(worker):
    process, log = worker

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        exit_status = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not stop:\n{log.read_text()}")

    assert exit_status == 0, log.read_text()
    assert time.monotonic() - started < 10


def test_the_first_signal_asks_the_loop_to_stop_and_the_second_stops_at_once():
    """The signal handler never raises on the first signal: raised in the middle of a query
    (django-tasks-db's worker did so whenever no task was running), the exit could fail on
    the cancelled query's busy connection and end the worker with an error."""
    worker = Worker(
        queue_names=["webhooks"],
        interval=1,
        batch=False,
        backend_name="worker",
        startup_delay=False,
        max_tasks=None,
        worker_id="signals",
    )

    worker.shutdown(signal.SIGTERM, None)  # no SystemExit
    assert worker.running is False
    with pytest.raises(SystemExit) as stopped:
        worker.shutdown(signal.SIGTERM, None)
    assert stopped.value.code == 1
