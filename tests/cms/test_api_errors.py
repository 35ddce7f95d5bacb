"""API errors are JSON with the right status, never an HTML page or a language redirect."""

import json

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/api/v3/pages/?limit=abc",
        "/api/v3/pages/?offset=-5",
        "/api/v3/pages/?type=nope.Nope",
        "/api/v3/pages/?order=nope",
    ],
)
def test_v3_answers_bad_query_parameters_with_400_naming_the_problem(client, home, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["status"] == 400
    assert problem["detail"] == "Invalid query parameters"
    assert problem["errors"] and problem["errors"][0]["msg"]


def test_v3_query_errors_name_the_parameter(client, home):
    problem = json.loads(client.get("/api/v3/pages/?limit=abc").content)
    assert problem["errors"][0]["loc"] == ["query", "limit"]


def test_v3_invalid_write_body_is_still_422(client, home):
    response = client.post("/api/v3/pages/", data="{}", content_type="application/json")
    assert response.status_code in (401, 403, 422)  # anonymous: refused before validation
    assert response.status_code != 500


@pytest.mark.parametrize("url", ["/api/", "/api/v9/pages/", "/api/v2/nope/", "/api/v3/nope/"])
def test_unknown_api_paths_are_json_404_without_language_redirect(client, home, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Location" not in response
    assert response["Content-Type"].startswith("application/")
    assert "json" in response["Content-Type"]


def test_a_server_error_under_api_is_json(rf):
    from cms.views import server_error

    response = server_error(rf.get("/api/v2/pages/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"message": "Internal server error."}


def test_a_server_error_on_a_page_is_the_html_error_page(rf):
    from cms.views import server_error

    response = server_error(rf.get("/ja/articles/"))
    assert response.status_code == 500
    assert b"<html" in response.content


def test_an_api_path_without_its_trailing_slash_redirects_to_it(client, home):
    response = client.get("/api/v2/pages")
    assert response.status_code == 301
    assert response["Location"] == "/api/v2/pages/"
