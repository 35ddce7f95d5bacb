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
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Internal server error.",
        "message": "Internal server error.",
    }
    v3 = server_error(rf.get("/api/v3/pages/"))
    assert "message" not in json.loads(v3.content)


def test_a_server_error_on_a_page_is_the_html_error_page(rf):
    from cms.views import server_error

    response = server_error(rf.get("/ja/articles/"))
    assert response.status_code == 500
    assert b"<html" in response.content


def test_an_api_path_without_its_trailing_slash_redirects_to_it(client, home):
    response = client.get("/api/v2/pages")
    assert response.status_code == 301
    assert response["Location"] == "/api/v2/pages/"


def wagtail_errors(rf, exc):
    """What Wagtail's own v3 handler lists for ``exc``, from a fresh API of Wagtail's."""
    from ninja import NinjaAPI
    from wagtail.api.v3.errors import register_exception_handlers

    api = NinjaAPI(urls_namespace="wagtail_errors_test")
    register_exception_handlers(api)
    response = api.on_exception(rf.post("/api/v3/pages/"), exc)
    assert response.status_code == 422
    return json.loads(response.content)["errors"]


def validation_errors_of_each_kind():
    from django.core.exceptions import ValidationError
    from ninja.errors import ValidationError as NinjaValidationError
    from pydantic import BaseModel
    from pydantic import ValidationError as PydanticValidationError
    from wagtail.utils.forms import FormValidationError

    class Shape(BaseModel):
        count: int

    try:
        Shape(count="many")
    except PydanticValidationError as error:
        pydantic_error = error
    return [
        FormValidationError({("title",): [("This field is required.", "required")]}),
        ValidationError(["Not a valid value."]),
        NinjaValidationError([{"type": "missing", "loc": ["body", "title"], "msg": "Required"}]),
        pydantic_error,
    ]


@pytest.mark.parametrize(
    "exc", validation_errors_of_each_kind(), ids=lambda exc: type(exc).__name__
)
def test_the_one_handler_lists_errors_as_wagtails_own_does(rf, exc):
    """api.v3.errors replaces Wagtail's handler of validation errors: if Wagtail changes the
    shape of its errors, this shows where ukiyo's answers now differ."""
    from api.v3.errors import validation_errors

    assert json.loads(json.dumps(validation_errors(exc), default=str)) == wagtail_errors(rf, exc)
