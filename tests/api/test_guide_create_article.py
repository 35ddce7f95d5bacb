"""The guide's example of creating an article (docs/api.md, "Create an article") works as
written, against a fresh demo.

The request is read from the guide and sent as it stands (ids included: those of a fresh
`make demo`, on SQLite, as `make demo` has it), with a token of the demo's admin. The
answer must contain everything the guide's excerpt shows (`…` stands for anything), and
the article must be on the site at the address the answer gives.
"""

import json
import re
from pathlib import Path

import pytest

from tests.sqlite import manage, sqlite_env

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"

CREATE = """
import json, sys
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import APIToken

request = json.loads(sys.stdin.read())
admin = get_user_model().objects.get(username="admin")
_, token = APIToken.create_token(user=admin, name="guide")
client = Client(HTTP_HOST="127.0.0.1:8000")
response = client.generic(
    request["method"], request["path"], request["body"],
    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
)
answer = response.json()
# The same article again as a draft, without its slug: one is made from the title.
draft = json.loads(request["body"])
del draft["slug"], draft["meta"]["action"]
again = client.post(request["path"], json.dumps(draft), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}")
reader = client.get(answer["meta"]["html_url"].removeprefix("http://localhost:8000"))
print(json.dumps({
    "status": response.status_code,
    "etag": response.get("ETag"),
    "answer": answer,
    "read": client.get(f"/api/v3/pages/{answer['id']}/",
                       HTTP_AUTHORIZATION=f"Bearer {token}").json(),
    "reader_status": reader.status_code,
    "reader_page": reader.content.decode(),
    "draft": [again.status_code, again.json()["meta"]],
}))
"""


def guide_section(title):
    text = GUIDE.read_text()
    start = text.index(f"### {title}")
    return text[start : text.index("\n### ", start + 1)]


def documented_request():
    """Method, path and JSON body of the guide's curl command."""
    section = guide_section("Create an article")
    command = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    method = re.search(r"-X (\w+)", command).group(1)
    path = re.search(r"'http://127\.0\.0\.1:8000(/[^']*)'", command).group(1)
    body = re.search(r"<<'JSON'\n(.*?)\nJSON\n", command, re.S).group(1)
    json.loads(body)  # the guide's body is JSON as written
    return {"method": method, "path": path, "body": body}


def documented_answer():
    section = guide_section("Create an article")
    return json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))


def mismatches(shown, actual, path=()):
    """Where ``actual`` differs from what the guide shows: every key shown must be there with
    the value shown; lists as long, item by item; ``…`` matches anything."""
    if shown == "…":
        return []
    if isinstance(shown, dict):
        if not isinstance(actual, dict):
            return [(path, shown, actual)]
        found = []
        for key, value in shown.items():
            if key not in actual:
                found.append(((*path, key), value, "missing"))
            else:
                found.extend(mismatches(value, actual[key], (*path, key)))
        return found
    if isinstance(shown, list):
        if not isinstance(actual, list) or len(shown) != len(actual):
            return [(path, shown, actual)]
        return [
            problem
            for i, (item, real) in enumerate(zip(shown, actual, strict=True))
            for problem in mismatches(item, real, (*path, i))
        ]
    return [] if shown == actual else [(path, shown, actual)]


@pytest.fixture(scope="module")
def created(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guide")
    env = sqlite_env(folder, "cms.settings.dev", MEDIA_ROOT=str(folder / "media"))
    for args in (["migrate", "--noinput"], ["load_demo"]):
        result = manage(*args, env=env)
        assert result.returncode == 0, result.stderr[-3000:]
    result = manage("shell", "-c", CREATE, env=env, input=json.dumps(documented_request()))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_guide_creates_an_article_with_post(created):
    assert created["status"] == 201, created["answer"]
    assert re.fullmatch(r'"\d+\.\d+\.\d+"', created["etag"])


def test_the_answer_is_what_the_guide_shows(created):
    assert mismatches(documented_answer(), created["answer"]) == []


def test_the_answer_is_the_article_as_read(created):
    answer, read = created["answer"], created["read"]
    assert {**answer, "meta": None} == {**read, "meta": None}


def test_readers_find_the_article_at_its_address(created):
    assert created["reader_status"] == 200
    assert "小惑星試料のカプセル、砂漠に着地" in created["reader_page"]
    assert "agency.example.org" in created["reader_page"]  # its citation chips


def test_a_draft_without_a_slug_gets_one_from_its_title(created):
    section = " ".join(guide_section("Create an article").split())
    slug = re.search(r"one is made from the title \(`/ja/articles/([^/`]+)/`\)", section).group(1)
    status, meta = created["draft"]
    assert status == 201
    assert (meta["slug"], meta["live"]) == (slug, False)
