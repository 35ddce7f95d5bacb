"""Two server processes sharing one Redis, as several app servers do in production: what one
keeps the other serves, a publication through either is seen at once through both, failed
logins count once for both, and a reader signed in through one is signed in on the other.
Then Redis stops under both.

Process A is this test process (Django's test client); process B is the production server,
gunicorn with ``cms/gunicorn.conf.py``, started once for the module with the test settings,
this process's test database and ``CACHE_URL=redis://...`` naming the tests' Redis
(``tests/redis_server.py``). Each keeps its own copies of the pages it served last
(``PAGE_CACHE_LOCAL_ENTRIES``), which a change made in the other must make stale too. B is
asked for host ``testserver``, as A is, so that both look for the same pages.

Data is committed (``transaction=True``: B reads it through its own connections) and the
database restored after each test (``serialized_rollback=True``).
"""

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils.encoding import iri_to_uri
from wagtail.models import APIToken

from tests.accounts.conftest import PASSWORD, make_reader
from tests.conftest import REDIS_RETRY_INTERVAL, REDIS_TIMEOUT
from tests.factories import ArticlePageFactory
from tests.redis_server import free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(settings.BASE_DIR)
STARTUP_SECONDS = 60
HOST = "testserver"


@dataclass
class Answer:
    status: int
    headers: dict
    text: str
    cookies: dict

    def __getitem__(self, name):
        return self.headers[name]


class Server:
    """Process B over HTTP; ``session``: a browser's cookies, kept between requests."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def request(self, method, path, session=None, **options):
        options.setdefault("headers", {})["Host"] = HOST
        response = (session or requests).request(
            method, self.base + iri_to_uri(path), allow_redirects=False, timeout=30, **options
        )
        return Answer(
            response.status_code, response.headers, response.text, response.cookies.get_dict()
        )

    def get(self, path, session=None, **options):
        return self.request("GET", path, session, **options)

    def login(self, email, password, session=None):
        """The reader login form, filled in and sent as a browser does (with its CSRF token)."""
        session = session or requests.Session()
        form = self.get("/en/accounts/login/", session)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        return self.request(
            "POST",
            "/en/accounts/login/",
            session,
            data={"login": email, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"http://{HOST}/en/accounts/login/"},
        )


def database_url():
    """This process's test database, as a ``DATABASE_URL``."""
    db = settings.DATABASES["default"]
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="module")
def other_process(django_db_setup, django_db_blocker, redis_server, tmp_path_factory):
    """Process B: gunicorn serving ukiyo on a free port, its caches in the tests' Redis."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("process-b") / "gunicorn.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CACHE_", "PAGE_CACHE", "DATABASE_URL", "DJANGO_SETTINGS", "WEB_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        DATABASE_URL=database_url(),
        CACHE_URL=(
            f"{redis_server.url}?socket_timeout={REDIS_TIMEOUT}"
            f"&socket_connect_timeout={REDIS_TIMEOUT}"
        ),
        CACHE_RETRY_INTERVAL=str(REDIS_RETRY_INTERVAL),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        ACCESS_LOG="off",
    )
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "cms/gunicorn.conf.py",
                "cms.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(port)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn stopped at once:\n{log_path.read_text()}", pytrace=False)
            try:
                if server.get("/robots.txt").status == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer:\n{log_path.read_text()}", pytrace=False)
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面に着陸", slug="moon")


def answer(url, client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def in_a(response, text):
    return text in response.content.decode()


def publish(page, **changes):
    page = page.specific_class.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()


def test_a_page_kept_by_one_process_is_served_by_the_other(redis_caches, other_process, article):
    b = other_process
    assert b.get(article.url)["X-Page-Cache"] == "miss"
    assert b.get(article.url)["X-Page-Cache"] == "hit"
    # A never rendered it: the page B kept in Redis.
    kept = answer(article.url)
    assert kept["X-Page-Cache"] == "hit"
    assert in_a(kept, "月面に着陸")

    api = f"/api/v3/pages/{article.pk}/"
    assert answer(api)["X-API-Cache"] == "miss"
    from_b = b.get(api)
    assert from_b["X-API-Cache"] == "hit"
    assert json.loads(from_b.text)["title"] == "月面に着陸"


def test_a_publication_through_either_process_is_seen_at_once_through_the_other(
    redis_caches, other_process, article, admin_user
):
    b = other_process
    # Both keep the page, each in Redis and in its own memory.
    assert b.get(article.url)["X-Page-Cache"] == "miss"
    assert b.get(article.url)["X-Page-Cache"] == "hit"
    assert answer(article.url)["X-Page-Cache"] == "hit"
    assert answer(article.url)["X-Page-Cache"] == "hit"

    # Published through A: B's next answer is the new page.
    publish(article, title="月面着陸に成功")
    seen = b.get(article.url)
    assert seen["X-Page-Cache"] == "miss"
    assert "月面着陸に成功" in seen.text and "月面に着陸" not in seen.text
    assert in_a(answer(article.url), "月面着陸に成功")  # A: what B kept

    # Published through B's API: A's next answer is the new page.
    draft = article.specific_class.objects.get(pk=article.pk)
    draft.title = "探査機が月面で再起動"
    draft.save_revision()
    _token, plaintext = APIToken.create_token(user=admin_user, name="newsroom")
    published = b.request(
        "POST",
        f"/api/v3/pages/{article.pk}/actions/publish/",
        json={},
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert published.status == 200, published.text
    seen = answer(article.url)
    assert seen["X-Page-Cache"] == "miss"
    assert in_a(seen, "探査機が月面で再起動")
    assert not in_a(seen, "月面着陸に成功")
    assert json.loads(b.get(f"/api/v3/pages/{article.pk}/").text)["title"] == "探査機が月面で再起動"


def test_failed_logins_count_once_for_both_processes(redis_caches, other_process, home):
    b = other_process
    make_reader("target@example.com")
    for number in range(5):
        if number % 2:
            failed = b.login("target@example.com", "wrong-guess")
            assert failed.status == 200
        else:
            failed = Client().post(
                "/en/accounts/login/", {"login": "target@example.com", "password": "wrong-guess"}
            )
            assert failed.status_code == 200
    # The sixth attempt, from either process, is over the limit, the right password too.
    assert b.login("target@example.com", PASSWORD).status == 429
    response = Client().post(
        "/en/accounts/login/", {"login": "target@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_a_reader_signed_in_through_one_process_is_signed_in_on_the_other(
    redis_caches, other_process, home
):
    b = other_process
    # Sessions are rows of the database every process reads, not entries in Redis.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    make_reader("reader@example.com")
    browser = requests.Session()
    assert b.login("reader@example.com", PASSWORD, browser).status == 302
    session_id = browser.cookies.get(settings.SESSION_COOKIE_NAME)
    assert Session.objects.filter(session_key=session_id).exists()

    a = Client()
    a.cookies[settings.SESSION_COOKIE_NAME] = session_id
    account = a.get("/en/accounts/")
    assert account.status_code == 200
    assert in_a(account, "reader@example.com")

    # Redis stops: the reader stays signed in, through either process.
    redis_caches.stop()
    assert a.get("/en/accounts/").status_code == 200
    assert "reader@example.com" in b.get("/en/accounts/", browser).text


def test_redis_stopped_under_both_processes(redis_caches, other_process, article):
    b = other_process
    urls = [article.url, "/ja/", f"/api/v3/pages/{article.pk}/", "/api/v3/articles/?locale=ja"]
    for url in urls:
        b.get(url)
    redis_caches.stop()

    for url in urls:
        assert answer(url).status_code == 200
        from_b = b.get(url)
        assert from_b.status == 200, (url, from_b.status)
    assert b.get(article.url)["X-Page-Cache"] == "miss"  # rendered, not from B's memory
    # A sign-in cannot be counted: refused by either process.
    refused = b.login("nobody@example.com", "guess")
    assert refused.status == 503
    assert 1 <= int(refused["Retry-After"]) <= REDIS_RETRY_INTERVAL + 1

    redis_caches.start()
    time.sleep(REDIS_RETRY_INTERVAL + 0.2)
    assert b.get(article.url)["X-Page-Cache"] == "miss"
    assert b.get(article.url)["X-Page-Cache"] == "hit"
    assert answer(article.url)["X-Page-Cache"] == "hit"
