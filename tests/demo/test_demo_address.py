"""``make demo DEMO_ADDR=...``: the demo gives the address it is served at in every absolute URL.

The commands are the Makefile's own (a dry run of ``make demo``): migrate and load_demo run in
fresh processes on a SQLite file with the environment the Makefile gives them, then the site
is read as a browser at that address reads it: the APIs (links, images, ``find``'s redirect,
the change feed) and a reader page.
"""

import json
import re
import shlex
import subprocess

import pytest

from demo.loader import DemoContentError, site_address
from tests.sqlite import ROOT, manage, sqlite_env

ADDRESS = "127.0.0.1:8101"
SERVED = f"http://{ADDRESS}/"
# An absolute URL of this machine, whatever host name or port it was written with.
LOCAL_URL = re.compile(
    r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|testserver)(?![\w.-])[^\s\"'<>,]*"
)

READ_SITE = """
import json
from django.test import Client
from news.models import ArticlePage

client = Client(HTTP_HOST="%(address)s", SERVER_PORT="%(port)s")
english = ArticlePage.objects.live().filter(locale__language_code="en").order_by("pk").first()
original = english.get_translation(english.locale.get_default())
urls = [
    "/api/v2/pages/?type=news.ArticlePage&locale=en&fields=*",
    f"/api/v2/pages/{english.pk}/",
    f"/api/v2/pages/{original.pk}/",
    "/api/v2/pages/find/?html_path=" + english.url,
    "/api/v2/images/",
    "/api/v2/categories/?locale=en",
    "/api/v2/authors/?locale=en",
    "/api/v2/changes/?limit=500",
    "/api/v3/pages/?type=news.ArticlePage&locale=en",
    f"/api/v3/pages/{english.pk}/",
    f"/api/v3/pages/{original.pk}/",
    "/api/v3/articles/?locale=en&limit=100",
    f"/api/v3/articles/{original.pk}/?locale=en",
    "/api/v3/articles/autocomplete/?q=moon&locale=en",
    "/api/v3/categories/?locale=en",
    "/api/v3/changes/?limit=500",
    "/api/v3/site-config/",
    english.url,
]
answers = {}
for url in urls:
    response = client.get(url)
    answers[url] = {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "body": response.content.decode(),
    }
print(json.dumps(answers))
"""


def demo_commands(address):
    """What ``make demo DEMO_ADDR=<address>`` runs with ``manage.py``: for each command, the
    variables it is given and its arguments."""
    result = subprocess.run(
        ["make", "-n", "demo", f"DEMO_ADDR={address}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    commands = {}
    for line in result.stdout.splitlines():
        if " manage.py " not in line or not line.strip().startswith("env "):
            continue
        words = shlex.split(line.strip().rstrip("\\"))
        words = words[: words.index("&")] if "&" in words else words
        variables = {}
        position = 1
        while words[position] == "-u" or "=" in words[position]:
            if words[position] == "-u":
                variables[words[position + 1]] = None
                position += 2
            else:
                name, value = words[position].split("=", 1)
                variables[name] = value
                position += 1
        arguments = words[words.index("manage.py") + 1 :]
        commands[arguments[0]] = (variables, arguments)
    return commands


@pytest.fixture(scope="module")
def commands():
    return demo_commands(ADDRESS)


@pytest.fixture(scope="module")
def answers(commands, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-address")
    variables = {name: value for name, value in commands["load_demo"][0].items() if value}
    env = sqlite_env(folder, "cms.settings.dev", MEDIA_ROOT=str(folder / "media"), **variables)
    for name in ("migrate", "load_demo"):
        result = manage(*commands[name][1], env=env)
        assert result.returncode == 0, result.stderr[-3000:]
    script = READ_SITE % {"address": ADDRESS, "port": ADDRESS.split(":")[1]}
    result = manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_demo_command_is_told_the_address_it_is_served_at(commands):
    assert {"migrate", "load_demo", "db_worker", "runserver"} <= commands.keys()
    assert commands["runserver"][1] == ["runserver", ADDRESS]
    for name, (variables, _arguments) in commands.items():
        assert variables.get("WAGTAILADMIN_BASE_URL") == SERVED.rstrip("/"), name
        assert variables.get("WAGTAILAPI_BASE_URL") == SERVED.rstrip("/"), name


def test_every_absolute_url_of_the_demo_is_the_address_it_is_served_at(answers):
    for url, answer in answers.items():
        assert answer["status"] in (200, 302), (url, answer["status"], answer["body"][:300])
    found = {
        (url, link)
        for url, answer in answers.items()
        for link in LOCAL_URL.findall(answer["body"] + " " + answer["location"])
    }
    elsewhere = sorted((url, link) for url, link in found if not link.startswith(SERVED))
    assert not elsewhere, elsewhere[:20]
    # Every kind of link was met: pages, both APIs, images, the logo, the redirect.
    links = {link for _url, link in found}
    kinds = ("/en/articles/", "/api/v2/pages/", "/api/v3/pages/", "/media/images/", "/static/")
    for kind in kinds:
        assert any(link.startswith(SERVED + kind.lstrip("/")) for link in links), kind
    find = next(answer for url, answer in answers.items() if "/find/" in url)
    assert find["location"].startswith(SERVED + "api/v2/pages/")


def test_every_page_change_in_the_feed_has_the_address_with_its_port(answers):
    for version in ("v2", "v3"):
        feed = json.loads(answers[f"/api/{version}/changes/?limit=500"]["body"])
        pages = [item for item in feed["items"] if item["event"].startswith("page.")]
        assert pages
        for item in pages:
            assert item["html_url"].startswith(SERVED), item
            assert (item["api_v2_url"] or SERVED).startswith(SERVED), item


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8101", ("127.0.0.1", 8101)),
        ("http://localhost:8000/", ("localhost", 8000)),
        ("http://news.example", ("news.example", 80)),
        ("https://news.example", ("news.example", 443)),
    ],
)
def test_the_demo_site_takes_the_host_name_and_port_of_its_address(url, address):
    assert site_address(url) == address


@pytest.mark.parametrize(
    "url",
    [
        "127.0.0.1:8101",
        "ftp://news.example",
        "http://",
        "http://news.example:port",
        "http://news.example:99999",
        "http://[::1]:8000",
        "https://news.example:8443",
        "http://news.example:443",
    ],
)
def test_an_address_wagtail_cannot_give_its_pages_is_refused(url):
    with pytest.raises(DemoContentError):
        site_address(url)
