"""A static file collected after the server started is served all the same (core.static).

The test client loads WhiteNoise on its first request, as a server does when it starts; the
files written into ``STATIC_ROOT`` after that are the next release's, which ``collectstatic``
adds during a rolling release while this server still runs.
"""

import pytest
from django.templatetags.static import static

from tests.core.test_compression import collected  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

NEW_CSS = "body { color: #123456; }\n"


@pytest.fixture
def started(client, collected, settings):  # noqa: F811
    """A server whose WhiteNoise listed the files collected so far."""
    assert client.get(static("css/ukiyo.css")).status_code == 200
    # The fixture collected the project's own files, not every app's: from here on pages
    # (the 404 page) name theirs without the manifest. WhiteNoise keeps what it listed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return client


def collect_later(root, name, text):
    """What the next release's ``collectstatic`` writes while the server runs."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return f"/static/{name}"


def test_a_file_with_its_hash_collected_since_is_served_and_kept_for_good(
    started,
    collected,  # noqa: F811
):
    url = collect_later(collected, "css/ukiyo.0123456789ab.css", NEW_CSS)

    response = started.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content).decode() == NEW_CSS
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_file_without_a_hash_collected_since_is_served_and_kept_briefly(
    started,
    collected,  # noqa: F811
):
    url = collect_later(collected, "js/added.js", "console.log(1);\n")

    response = started.head(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"


@pytest.mark.parametrize(
    "path",
    [
        "/static/css/never-collected.0123456789ab.css",
        "/static/css/",
        "/static/%2e%2e/settings.py",
        "/static/..%2f..%2fsettings.py",
        "/static/css/ukiyo.css%00.png",
        "/static//etc/hostname",
        "/static/css/./ukiyo.css",
        "/static/css/ukiyo.css/",
        "/static/" + "a" * 300 + ".css",  # longer than a file name may be
        "/static/" + "b/" * 3000 + "c.css",
    ],
)
def test_nothing_else_is_served(started, collected, path):  # noqa: F811
    (collected.parent / "settings.py").write_text("SECRET_KEY = 'not for readers'\n")

    response = started.get(path)

    assert response.status_code in (400, 404)  # a path out of STATIC_ROOT: refused earlier
    assert b"not for readers" not in response.content


def test_only_reads(started, collected):  # noqa: F811
    url = collect_later(collected, "css/posted.0123456789ab.css", NEW_CSS)

    assert started.post(url).status_code == 405
