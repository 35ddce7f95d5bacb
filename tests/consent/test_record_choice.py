"""The banner's choice, set again by the server so that it lasts its full term everywhere."""

import json
import time

import pytest

from consent import cookie

URL = "/en/cookie-settings/choice/"
ORIGIN = "http://testserver"


def value(version=3, analytics=1, marketing=0, functional=1, at=None):
    at = int(time.time()) if at is None else at
    return f"v={version}&t={at}&analytics={analytics}&marketing={marketing}&functional={functional}"


def post(client, body, content_type="application/json", **headers):
    headers.setdefault("HTTP_ORIGIN", ORIGIN)
    headers.setdefault("HTTP_SEC_FETCH_SITE", "same-origin")
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data, content_type=content_type, **headers)


def test_the_server_sets_the_same_cookie_for_its_full_term(client, consent_settings):
    choice = value(at=1_764_115_200)
    client.cookies["_test_ads"] = "1"  # marketing: refused in this choice

    response = post(client, {"choice": choice})

    assert response.status_code == 204
    morsel = response.cookies[cookie.COOKIE_NAME]
    # The same choice, with the consent id it is logged under (test_consent_log.py).
    assert morsel.value.startswith(choice + "&id=")
    assert cookie.parse(morsel.value).granted == cookie.parse(choice).granted
    assert int(morsel["max-age"]) == cookie.COOKIE_MAX_AGE
    assert morsel["samesite"] == "Lax"
    assert response.cookies["_test_ads"]["max-age"] == 0  # expired
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"HTTP_ORIGIN": "https://evil.example"}, "another site's page"),
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, "a cross-site request"),
        ({"HTTP_ORIGIN": "https://testserver"}, "another scheme"),
    ],
)
def test_other_sites_cannot_record_a_choice(client, consent_settings, headers, reason):
    response = post(client, {"choice": value()}, **headers)

    assert response.status_code == 403, reason
    assert cookie.COOKIE_NAME not in response.cookies
    assert "Only pages of this site" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("choice=v%3D3", "application/x-www-form-urlencoded", 415),
        ("{not json", "application/json", 400),
        ('["v=3"]', "application/json", 400),
        ({"choice": 3}, "application/json", 400),
        ({"choice": "v=3&t=1&analytics=2&marketing=0&functional=0"}, "application/json", 400),
        ({"choice": "x" * 10_000}, "application/json", 400),
        ({}, "application/json", 400),
    ],
)
def test_bad_bodies_are_refused_with_a_reason(client, consent_settings, body, content_type, status):
    response = post(client, body, content_type=content_type)

    assert response.status_code == status
    assert response.json()["detail"]
    assert cookie.COOKIE_NAME not in response.cookies


def test_a_choice_for_an_older_policy_is_not_recorded(client, consent_settings):
    response = post(client, {"choice": value(version=2)})

    assert response.status_code == 409
    assert "reload the page" in response.json()["detail"]
    assert cookie.COOKIE_NAME not in response.cookies


def test_only_posts_are_answered(client, consent_settings):
    assert client.get(URL).status_code == 405
