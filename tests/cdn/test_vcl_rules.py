"""What the shipped VCL stores, passes and purges, tried on answers whose headers the test
chooses (``tests/cdn/urls.py``) and on the site's own paths, through a real Varnish."""

import json
import re
import time

import pytest
from django.conf import settings

from cms.settings.environment import HTTP_PURGE
from core.frontend_cache import HTTPPurgeBackend

from .conftest import VCL

pytestmark = pytest.mark.django_db

SHARED = "/ja/cdn-test/shared/"


@pytest.fixture(autouse=True)
def answers_of_the_tests(settings):
    settings.ROOT_URLCONF = "tests.cdn.urls"


def serial(answer):
    return json.loads(answer.text)["serial"]


def received(answer):
    """What ukiyo received: cookie names and query string."""
    data = json.loads(answer.text)
    return data["cookies"], data["query"]


def test_an_answer_that_may_be_shared_is_stored_and_served_from_the_cache(varnish):
    first = varnish.get(SHARED)
    assert (first.status, first.cache) == (200, "MISS")
    second = varnish.get(SHARED)
    assert (second.status, second.cache) == (200, "HIT")
    assert serial(second) == serial(first)
    assert second.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
    # Only what the client needs: the bookkeeping for purges stays inside Varnish.
    assert not [name for name in second.headers if name.lower().startswith("x-ukiyo")]


def test_a_hit_carries_the_id_of_its_own_request(varnish):
    """ukiyo echoes X-Request-ID; a stored answer must not hand that id to later readers."""
    first = varnish.get(SHARED, headers={"X-Request-ID": "fetched-it"})
    hit = varnish.get(SHARED, headers={"X-Request-ID": "reader-2"})
    anonymous = varnish.get(SHARED)

    assert (first.cache, first.headers["X-Request-ID"]) == ("MISS", "fetched-it")
    assert (hit.cache, hit.headers["X-Request-ID"]) == ("HIT", "reader-2")
    assert anonymous.cache == "HIT"
    assert "X-Request-ID" not in anonymous.headers


@pytest.mark.parametrize("kind", ["silent", "private", "no-store", "no-cache"])
def test_an_answer_not_marked_shareable_is_never_stored(varnish, kind):
    """``silent`` is what reader pages send before ukiyo's page cache: no Cache-Control.
    Varnish's own default would keep it two minutes; this VCL keeps only what says it may."""
    path = f"/ja/cdn-test/{kind}/"
    first, second = varnish.get(path), varnish.get(path)
    assert (first.cache, second.cache) == ("PASS", "PASS")
    assert serial(second) != serial(first)


def test_an_answer_that_sets_a_cookie_is_never_stored_and_keeps_its_cookie(varnish):
    path = "/ja/cdn-test/shared-with-cookie/"
    first, second = varnish.get(path), varnish.get(path)
    assert (first.cache, second.cache) == ("PASS", "PASS")
    assert serial(second) != serial(first)
    assert "ukiyo_test=1" in second.headers["Set-Cookie"]


def test_a_readers_cookies_are_dropped_where_the_answer_is_the_same_for_everyone(varnish):
    first = varnish.get(
        SHARED,
        cookies={
            "csrftoken": "a" * 32,
            "ukiyo_consent": "v=1&t=1750560000&analytics=1&marketing=0&functional=0",
            "ukiyo_language": "en",
            "_ga": "GA1.1.1",
        },
    )
    assert first.cache == "MISS"
    assert received(first) == ([], "")
    # Another reader, other cookies: the same stored answer.
    second = varnish.get(SHARED, cookies={"csrftoken": "b" * 32})
    assert second.cache == "HIT"
    assert serial(second) == serial(first)


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_session_or_a_waiting_message_passes_with_every_cookie(varnish, cookie):
    stored = varnish.get(SHARED)
    cookies = {cookie: "x", "csrftoken": "c" * 32}
    for _ in range(2):
        answer = varnish.get(SHARED, cookies=cookies)
        assert answer.cache == "PASS"
        assert serial(answer) != serial(stored)
        assert received(answer)[0] == sorted(cookies)


def test_the_vcl_passes_the_cookies_the_settings_name():
    """The VCL cannot read the settings: renaming a cookie there must be done here too."""
    rule = re.search(r'req\.http\.Cookie ~ "\(\^\|;\\s\*\)\(([^)]*)\)="', VCL.read_text())
    assert rule, "the VCL's rule for the session and messages cookies has changed shape"
    assert set(rule[1].split("|")) == {
        settings.SESSION_COOKIE_NAME,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
    }


def test_a_request_with_authorization_passes(varnish):
    stored = varnish.get(SHARED)
    answer = varnish.get(SHARED, headers={"Authorization": "Bearer token"})
    assert answer.cache == "PASS"
    assert serial(answer) != serial(stored)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_only_get_and_head_are_answered_from_the_cache(varnish, method):
    stored = varnish.get(SHARED)
    answer = varnish.request(method, SHARED, body=b"", headers={"Content-Length": "0"})
    assert answer.cache == "PASS"
    assert serial(answer) != serial(stored)
    # Nor did the answer to it replace the stored one.
    assert serial(varnish.get(SHARED)) == serial(stored)


def test_the_root_redirect_follows_each_readers_language(varnish):
    """``/`` sends a reader to their language (cookie, else Accept-Language): never stored,
    and it gets the reader's cookies."""
    english = varnish.get("/", cookies={"ukiyo_language": "en"})
    french = varnish.get("/", cookies={"ukiyo_language": "fr"})
    german = varnish.get("/", headers={"Accept-Language": "de"})
    assert [answer.status for answer in (english, french, german)] == [302, 302, 302]
    assert english.headers["Location"].endswith("/en/")
    assert french.headers["Location"].endswith("/fr/")
    assert german.headers["Location"].endswith("/de/")
    assert {english.cache, french.cache, german.cache} == {"PASS"}


@pytest.mark.parametrize(
    "path",
    [
        "/cdn-test/shared/",
        "/ja/accounts/cdn-test/shared/",
        "/ja/cookie-settings/cdn-test/shared/",
    ],
)
def test_a_readers_own_pages_and_paths_outside_a_language_prefix_pass(varnish, path):
    """Even an answer marked shareable: the account and cookie settings pages read the
    reader's cookies, and outside a prefix the answer may depend on the reader's language."""
    cookies = {"ukiyo_consent": "v=1&t=1750560000&analytics=1&marketing=0&functional=0"}
    first, second = varnish.get(path, cookies=cookies), varnish.get(path, cookies=cookies)
    assert (first.cache, second.cache) == ("PASS", "PASS")
    assert serial(second) != serial(first)
    assert received(second)[0] == ["ukiyo_consent"]


def test_the_admin_passes(varnish):
    answer = varnish.get("/admin/")
    assert answer.status == 302
    assert answer.cache == "PASS"


def test_tracking_parameters_do_not_split_the_cache(varnish):
    first = varnish.get(SHARED + "?utm_source=social&fbclid=abc&utm_medium=post")
    assert first.cache == "MISS"
    assert received(first)[1] == ""
    assert serial(varnish.get(SHARED)) == serial(first)
    page_two = varnish.get(SHARED + "?page=2&utm_campaign=quake")
    assert page_two.cache == "MISS"
    assert received(page_two)[1] == "page=2"
    assert serial(varnish.get(SHARED + "?page=2")) == serial(page_two)


def test_a_stale_answer_is_served_while_a_fresh_one_is_fetched(varnish):
    """stale-while-revalidate: past its s-maxage, the stored answer still goes out at once,
    and the next reader gets the fresh one."""
    path = "/ja/cdn-test/short/"
    first = varnish.get(path)
    time.sleep(1.3)
    stale = varnish.get(path)
    assert stale.cache == "HIT-STALE"
    assert serial(stale) == serial(first)
    deadline = time.monotonic() + 5
    while True:
        fresh = varnish.get(path)
        if serial(fresh) != serial(first) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert serial(fresh) != serial(first)


def test_a_purge_from_ukiyos_machine_removes_the_path_with_every_query_string(varnish):
    page, page_two, other = SHARED, SHARED + "?page=2", "/ja/cdn-test/shared-too/"
    before = {path: serial(varnish.get(path)) for path in (page, page_two, other)}
    assert {varnish.get(path).cache for path in before} == {"HIT"}

    # Another host's copy of the path is another page.
    elsewhere = varnish.request("PURGE", page, headers={"Host": "other.example"})
    assert elsewhere.status == 200
    assert varnish.get(page).cache == "HIT"

    # Without its trailing slash (as Wagtail's redirects app names a moved page's old URL).
    purged = varnish.request("PURGE", page.rstrip("/"), headers={"Host": varnish.host})
    assert purged.status == 200
    after = {path: varnish.get(path) for path in before}
    assert (after[page].cache, after[page_two].cache) == ("MISS", "MISS")
    assert serial(after[page]) != before[page]
    assert serial(after[page_two]) != before[page_two]
    assert after[other].cache == "HIT"


def test_a_purge_from_any_other_address_is_refused(varnish):
    """127.0.0.2 is this machine too, but not in the VCL's list of who may purge."""
    stored = varnish.get(SHARED)
    refused = varnish.request("PURGE", SHARED, source="127.0.0.2")
    assert refused.status == 403
    again = varnish.get(SHARED, source="127.0.0.2")
    assert again.cache == "HIT"
    assert serial(again) == serial(stored)


def test_the_purge_backend_purges_a_path_in_any_script_once_the_change_commits(
    varnish, django_capture_on_commit_callbacks
):
    path = "/ja/cdn-test/shared/月面着陸/"
    stored = varnish.get(path)
    backend = HTTPPurgeBackend({"BACKEND": HTTP_PURGE, "LOCATION": varnish.url})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        backend.purge_batch([f"{varnish.url}{path}"])
        # Inside the transaction nothing is sent yet: a reader now would store the old page.
        assert varnish.get(path).cache == "HIT"
    assert len(callbacks) == 1
    fresh = varnish.get(path)
    assert fresh.cache == "MISS"
    assert serial(fresh) != serial(stored)
