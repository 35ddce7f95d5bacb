"""Browser frontends on the origins named in CORS_ALLOWED_ORIGINS may read the API."""

import pytest

APP = "https://app.news.example"


@pytest.fixture(autouse=True)
def allowed_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]


def test_a_named_frontend_may_read_the_api(client, db):
    response = client.get("/api/v2/pages/", HTTP_ORIGIN=APP)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Credentials" not in response
    assert "origin" in response["Vary"].lower()
    # A script may read the ETag, to revalidate or to send it back in If-Match.
    assert "ETag" in response["Access-Control-Expose-Headers"].split(", ")


def test_preflight_for_a_token_request_is_answered(client, db):
    response = client.options(
        "/api/v3/pages/",
        HTTP_ORIGIN=APP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "authorization" in response["Access-Control-Allow-Headers"]


def test_other_origins_get_no_permission(client, db):
    response = client.get("/api/v2/pages/", HTTP_ORIGIN="https://evil.example")

    assert "Access-Control-Allow-Origin" not in response


def test_reader_pages_are_not_opened_to_other_origins(client, home):
    response = client.get("/ja/", HTTP_ORIGIN=APP)

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("header", ["if-match", "if-none-match"])
def test_a_frontend_may_send_conditional_requests(client, db, header):
    response = client.options(
        "/api/v3/pages/1/",
        HTTP_ORIGIN=APP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=f"authorization,content-type,{header}",
    )

    assert response.status_code == 200
    allowed = {name.strip() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert header in allowed
