"""The errors of every v3 operation are in the OpenAPI document, as the problems they are.

A generated client types an undeclared answer as ``never``: the 404 of an article, the 400 of
a listing, ``find``'s redirect. Each operation declares the errors it can answer, each as
``application/problem+json`` with the ``ProblemDetail`` schema; the answers served are checked
against what is declared.
"""

import pytest
from django.core.cache import cache

from tests.factories import ArticlePageFactory

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def document(client, db):
    return client.get("/api/v3/openapi.json").json()


def each_operation(document):
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            yield path, method, operation


def test_every_error_is_declared_as_a_problem(document):
    for path, method, operation in each_operation(document):
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                assert answer["content"] == PROBLEM, (method, path, status)
                assert answer["description"], (method, path, status)


@pytest.mark.parametrize(
    ("operation_id", "statuses"),
    [
        ("articles_list", {"200", "400", "404", "429"}),
        ("articles_detail", {"200", "400", "404"}),
        ("articles_autocomplete", {"200", "400", "404"}),
        ("pages_list", {"200", "400", "404", "429"}),
        ("pages_detail", {"200", "400", "404"}),
        ("pages_find", {"200", "302", "400", "404"}),
        ("categories_list", {"200", "400", "404"}),
        ("categories_detail", {"200", "400", "404"}),
        ("authors_list", {"200", "400", "404"}),
        ("changes_list", {"200", "400", "410"}),
        ("preview_detail", {"200", "400", "401", "403"}),
        ("sites_list", {"200", "400", "401", "403"}),
        ("pages_revisions_list", {"200", "400", "401", "403", "404"}),
        ("pages_create", {"201", "400", "401", "403", "413", "422"}),
        ("pages_update", {"200", "400", "401", "403", "404", "412", "413", "422", "423", "428"}),
        ("pages_actions_publish", {"200", "400", "401", "403", "404", "412", "413", "422", "423"}),
        ("snippets_create", {"201", "400", "401", "403", "404", "409", "413", "422"}),
        ("snippets_update", {"200", "400", "401", "403", "404", "409", "413", "422"}),
    ],
)
def test_each_operation_declares_the_errors_it_can_answer(document, operation_id, statuses):
    operation = next(
        operation
        for _path, _method, operation in each_operation(document)
        if operation["operationId"] == operation_id
    )

    assert set(operation["responses"]) >= statuses
    # Errors that cannot happen are not declared: a read without a token needs none.
    if "401" not in statuses:
        assert "401" not in operation["responses"]


@pytest.mark.parametrize("path", ["/api/v3/pages/find/", "/api/v3/redirects/find/"])
def test_find_declares_its_redirect(document, path):
    responses = document["paths"][path]["get"]["responses"]

    assert set(responses["302"]["headers"]) >= {"Location", "ETag"}
    assert "content" not in responses["302"]
    assert "redirect" in responses["200"]["description"]


@pytest.mark.parametrize(
    ("method", "url", "operation_id"),
    [
        ("get", "/api/v3/articles/?locale=xx", "articles_list"),
        ("get", "/api/v3/articles/?limit=0", "articles_list"),
        ("get", "/api/v3/articles/9999999/", "articles_detail"),
        ("get", "/api/v3/articles/{id}/?locale=fr", "articles_detail"),
        ("get", "/api/v3/pages/?locale=xx", "pages_list"),
        ("get", "/api/v3/pages/9999999/", "pages_detail"),
        ("get", "/api/v3/pages/?offset=99999", "pages_list"),
        ("get", "/api/v3/pages/find/?html_path=/ja/articles/moon-landing/", "pages_find"),
        ("get", "/api/v3/pages/find/?html_path=/ja/articles/none/", "pages_find"),
        ("get", "/api/v3/pages/find/?html_path=/ja/&locale=en", "pages_find"),
        ("get", "/api/v3/categories/?locale=xx", "categories_list"),
        ("get", "/api/v3/categories/?limit=abc", "categories_list"),
        ("get", "/api/v3/changes/?limit=0", "changes_list"),
        ("get", "/api/v3/sites/", "sites_list"),
        ("get", "/api/v3/preview/?token=nonsense", "preview_detail"),
        ("post", "/api/v3/pages/", "pages_create"),
        ("patch", "/api/v3/pages/{id}/", "pages_update"),
    ],
)
def test_the_statuses_served_are_declared(client, document, index, method, url, operation_id):
    article = ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")
    operation = next(
        operation
        for _path, _method, operation in each_operation(document)
        if operation["operationId"] == operation_id
    )

    response = getattr(client, method)(url.format(id=article.pk), content_type="application/json")

    assert str(response.status_code) in operation["responses"], response.content
