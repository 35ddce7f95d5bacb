"""The same odd searches and numbers on SQLite, the demo's database.

SQLite fails where PostgreSQL does not: a ``"`` in any search ended the FTS5 query string
("unterminated string"), and offsets beyond its 64-bit integers raised "datatype mismatch".
The suite's database is PostgreSQL, so these requests run in a subprocess with the test
settings on a fresh SQLite file (``DATABASE_URL=sqlite://...``), through Django's test client,
the way ``tests/demo/test_demo_sqlite.py`` runs the demo.
"""

import json

import pytest

from tests import sqlite

BEYOND_BIGINT = "9999999999999999999"
MANY_WORDS = " ".join(f"word{number}" for number in range(2000))

# Runs inside ``manage.py shell``: builds a little site, then answers each request of the
# file named by UKIYO_REQUESTS with its status, content type and body.
RUN_REQUESTS = """
import json, os
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Site
from home.models import HomePage
from tests.factories import ArticleIndexPageFactory, full_article

Site.objects.filter(is_default_site=True).update(hostname="testserver", port=80)
index = ArticleIndexPageFactory(parent=HomePage.objects.get(depth=2))
full_article(index, title="Moon landing")
reader = Client(raise_request_exception=False)
editor = Client(raise_request_exception=False)
editor.force_login(get_user_model().objects.create_superuser("e", "e@example.com", "pw"))
answers = []
with open(os.environ["UKIYO_REQUESTS"]) as requests:
    for who, url, query in json.load(requests):
        url = url.replace("{index}", str(index.pk))
        response = (editor if who == "editor" else reader).get(url, query)
        answers.append([response.status_code, response.get("Content-Type", ""),
                        response.content.decode()])
print("ANSWERS " + json.dumps(answers))
"""


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory):
    """The environment of a migrated SQLite database with the test settings."""
    folder = tmp_path_factory.mktemp("sqlite")
    env = sqlite.sqlite_env(folder, "cms.settings.test", MEDIA_ROOT=str(folder / "media"))
    result = sqlite.manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return env, folder


def on_sqlite(sqlite_env, requests):
    """``requests`` (``[who, url, query]``, who: "reader" or "editor") answered on SQLite."""
    env, folder = sqlite_env
    path = folder / "requests.json"
    path.write_text(json.dumps(requests))
    # Each run starts from the same migrated file: copy it so runs do not see each other.
    database = folder / "db.sqlite3"
    run = folder / "run.sqlite3"
    run.write_bytes(database.read_bytes())
    result = sqlite.manage(
        "shell",
        "-c",
        RUN_REQUESTS,
        env={**env, "UKIYO_REQUESTS": str(path), "DATABASE_URL": f"sqlite:///{run}"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("ANSWERS "))
    return json.loads(line.removeprefix("ANSWERS "))


SEARCHES = [
    ("reader", "/ja/search/", {"q": 'moon "landing'}),
    ("reader", "/ja/search/", {"q": '"'}),
    ("reader", "/api/v2/pages/", {"search": 'moon"'}),
    ("reader", "/api/v2/images/", {"search": '"'}),
    ("reader", "/api/v3/pages/", {"search": 'a"b'}),
    ("reader", "/api/v3/documents/", {"search": '"'}),
    ("editor", "/admin/pages/search/", {"q": 'moon "landing'}),
    ("editor", "/admin/pages/{index}/", {"q": 'a"b'}),
    ("editor", "/admin/images/", {"q": '"'}),
    ("editor", "/admin/snippets/news/category/", {"q": 'a"b'}),
    ("editor", "/admin/pages/search/", {"q": MANY_WORDS}),
    ("editor", "/admin/pages/{index}/", {"q": "a\x00b"}),
    ("editor", "/admin/pages/search/", {"q": "\x01"}),
    ("editor", "/admin/snippets/news/category/", {"q": "\x01"}),
]

NUMBERS = [
    ("reader", "/api/v2/pages/", {"offset": BEYOND_BIGINT}),
    ("reader", "/api/v3/pages/", {"offset": BEYOND_BIGINT}),
    ("reader", "/api/v2/categories/", {"offset": str(2**63)}),
    ("reader", "/api/v3/authors/", {"offset": str(2**63)}),
    ("reader", "/api/v2/pages/", {"id": BEYOND_BIGINT}),
    ("reader", "/api/v2/pages/", {"child_of": BEYOND_BIGINT}),
    ("reader", "/api/v2/pages/", {"descendant_of": BEYOND_BIGINT}),
    ("reader", "/api/v3/pages/", {"child_of": BEYOND_BIGINT}),
    ("reader", "/api/v3/pages/", {"descendant_of": BEYOND_BIGINT}),
    ("reader", "/api/v2/pages/find/", {"id": BEYOND_BIGINT}),
    ("reader", f"/api/v2/pages/{BEYOND_BIGINT}/", {}),
    ("reader", f"/api/v3/pages/{BEYOND_BIGINT}/", {}),
    ("reader", f"/api/v3/categories/{BEYOND_BIGINT}/", {}),
    ("editor", f"/admin/pages/{BEYOND_BIGINT}/edit/", {}),
]


@pytest.fixture(scope="module")
def answers(sqlite_env):
    return on_sqlite(sqlite_env, SEARCHES + NUMBERS)


def request_id(request):
    who, url, query = request
    return f"{who} {url} {','.join(query)}"[:80]


@pytest.mark.parametrize("position", range(len(SEARCHES)), ids=[request_id(s) for s in SEARCHES])
def test_quotes_in_any_search_are_searched_on_sqlite(answers, position):
    status, _content_type, body = answers[position]
    assert status == 200, body[:500]


def test_a_quoted_search_still_finds_on_sqlite(answers):
    _status, _type, html = answers[0]
    assert "<mark>Moon</mark> <mark>landing</mark>" in html
    _status, _type, listing = answers[2]
    assert [item["title"] for item in json.loads(listing)["items"]] == ["Moon landing"]


@pytest.mark.parametrize(
    "position",
    range(len(SEARCHES), len(SEARCHES) + len(NUMBERS)),
    ids=[request_id(n) for n in NUMBERS],
)
def test_numbers_beyond_64_bits_never_answer_500_on_sqlite(answers, position):
    """An offset is refused (400); an id no row can have finds nothing (an empty list, 404,
    or 400 "parent page doesn't exist")."""
    _who, url, query = NUMBERS[position - len(SEARCHES)]
    status, content_type, body = answers[position]
    expected = {400} if "offset" in query else {200, 400, 404}
    assert status in expected, body[:500]
    if url.startswith("/api/"):
        assert "json" in content_type
