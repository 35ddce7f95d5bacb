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


@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v3/articles/", "/api/v3/no-such/"])
def test_a_frontend_may_read_the_headers_the_api_answers_with(client, db, url):
    """What docs/api.md tells a frontend to read: the ETag and Last-Modified to revalidate,
    where a redirect leads, when to try again, the request id to quote in a report, whether
    the answer was kept, the methods a 405 allows, the preview marker."""
    response = client.get(url, HTTP_ORIGIN=APP)

    exposed_header = response["Access-Control-Expose-Headers"]
    exposed = {name.strip().lower() for name in exposed_header.split(",")}
    assert exposed >= {
        "etag",
        "last-modified",
        "location",
        "retry-after",
        "x-request-id",
        "x-api-cache",
        "allow",
        "ukiyo-preview",
    }
    assert "X-Request-ID" in response
