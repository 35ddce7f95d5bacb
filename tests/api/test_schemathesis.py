"""A bounded schemathesis run against the v3 OpenAPI document: no input gives a 5xx.

Reads: every GET operation of ``/api/v3/openapi.json`` is called through the WSGI application (no
server) with requests schemathesis generates from the document, valid ones and invalid ones,
with and without a superuser's token, and with path parameters that name real objects of a
small demo, so that detail views are reached and not only their 404. Each answer must not be
a server error, and must match the schema the document gives for its status, where it gives
one. Writes: every operation that takes a body, with generated bodies (JSON, and multipart
files for image and document uploads), valid and invalid, with the token and without it; no
answer may be a server error. The examples are few and derandomized: the same requests on
every run, about a minute for the writes.
"""

import contextlib

import pytest
from django.core import signals
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import response_schema_conformance
from wagtail.documents import get_document_model
from wagtail.models import APIToken, Site

from tests.conftest import translate_page
from tests.factories import (
    AuthorFactory,
    ImageFactory,
    StandardPageFactory,
    full_article,
    image_block,
    paragraph,
    rich_body,
    section,
)

EXAMPLES = 4  # per operation, generation mode and caller
CHECKS = [not_a_server_error, response_schema_conformance]
BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def app():
    """The project's WSGI application, inside the test's database transaction.

    Django closes "old" connections when a request starts and finishes; inside a test
    transaction that would close the test's own connection (its test client disconnects
    the same handlers).
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def demo(index, category, english_tree, locales, django_user_model):
    """A few pages in two languages, a category, an author, an image and a document; the
    ids a path parameter of each name can take."""
    _en_home, en_index = english_tree
    image = ImageFactory(title="Landing site")
    author = AuthorFactory(name="山田花子", slug="hanako", locale=locales["ja"])
    article = full_article(
        index,
        author=author,
        title="月面着陸に成功",
        slug="moon-landing",
        category=category,
        lead_image=image,
        body=[*rich_body(1), section("Images", [paragraph(), image_block(image)])],
    )
    translation = translate_page(article, locales["en"], title="Moon landing")
    article.title = "月面着陸に成功（改訂）"
    revision = article.save_revision()
    StandardPageFactory(parent=index.get_parent(), title="利用規約", slug="terms")
    document = get_document_model().objects.create(
        title="Mission report", file=ContentFile(b"report", name="report.txt")
    )
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    _token, plaintext = APIToken.create_token(user=admin, name="schemathesis")
    return {
        "token": plaintext,
        "path_parameters": {
            "page_id": article.pk,
            "article_id": translation.pk,
            "revision_id": revision.pk,
            "category_id": category.pk,
            "author_id": author.pk,
            "image_id": image.pk,
            "document_id": document.pk,
            "site_id": Site.objects.get(is_default_site=True).pk,
            "type_name": "news.ArticlePage",
            "type": "news.Category",
            "pk": category.pk,
        },
        "index": en_index,
    }


def reads(app):
    schema = from_wsgi("/api/v3/openapi.json", app)
    return [result.ok() for result in schema.include(method="GET").get_all_operations()]


def callable_at_all(operation):
    """False when a path parameter can take no value: Wagtail's snippet revisions name the
    snippet types that keep revisions (``const: ""`` when there are none, as in ukiyo)."""
    for parameter in operation.path_parameters:
        schema = parameter.definition.get("schema", {})
        if schema.get("enum") == [] or schema.get("const") == "":
            return False
    return True


def callers(operation, demo):
    """(label, generation mode, strategy keyword arguments) for each way of calling
    ``operation``: anything at all without a token, then valid requests about the demo's
    objects without and with one."""
    names = {parameter.name for parameter in operation.path_parameters}
    known = {name: value for name, value in demo["path_parameters"].items() if name in names}
    bearer = {"Authorization": f"Bearer {demo['token']}"}
    ways = [
        ("anonymous", GenerationMode.POSITIVE, {}),
        ("anonymous", GenerationMode.NEGATIVE, {}),
        ("token", GenerationMode.POSITIVE, {"headers": bearer, "path_parameters": known}),
    ]
    if known:
        ways.append(("anonymous, demo ids", GenerationMode.POSITIVE, {"path_parameters": known}))
    return ways


# The WSGI transport hands over the body as sent: a gzip answer (every public JSON answer is
# compressed for clients that accept it, core.middleware.PublicGZipMiddleware) would reach the
# checks undecoded. Compression has its own tests (tests/core/test_compression.py).
PLAIN = {"Accept-Encoding": "identity"}


def run(operation, mode, kwargs):
    """Calls ``operation`` with generated requests; the failure messages, if any."""
    failures = []

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode, **kwargs))
    def call(case):
        response = case.call(headers=PLAIN)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as error:
            failures.append(f"{case.as_curl_command()}\n  {error!r}"[:600])

    # Unsatisfiable: nothing invalid to send (a read without parameters that needs no token).
    with contextlib.suppress(Unsatisfiable):
        call()
    return failures


def test_no_generated_read_gets_a_server_error_or_breaks_its_schema(app, demo):
    operations = reads(app)
    assert len(operations) >= 20, [operation.label for operation in operations]

    failures = []
    for operation in filter(callable_at_all, operations):
        for label, mode, kwargs in callers(operation, demo):
            for failure in run(operation, mode, kwargs):
                failures.append(f"{operation.label} ({label}, {mode.value}): {failure}")

    assert not failures, "\n\n".join(failures[:20])


# -- writes ------------------------------------------------------------------------------

WRITE_EXAMPLES = 3  # per operation and way of calling it: the write run stays under a minute
WRITES = settings(BOUNDED, max_examples=WRITE_EXAMPLES)
WRITE_CHECKS = [not_a_server_error]


def writes(app):
    """Every operation that takes a body (POST, PUT, PATCH); DELETE takes none, and deleting
    the demo's objects would leave the other operations only their 404."""
    schema = from_wsgi("/api/v3/openapi.json", app)
    return [
        result.ok()
        for result in schema.include(method=["POST", "PUT", "PATCH"]).get_all_operations()
    ]


def write_callers(operation, demo):
    """With the token (valid requests about the demo's objects, then anything at all), and
    anything at all without it."""
    names = {parameter.name for parameter in operation.path_parameters}
    known = {name: value for name, value in demo["path_parameters"].items() if name in names}
    bearer = {"Authorization": f"Bearer {demo['token']}"}
    token = {"headers": bearer, "path_parameters": known}
    return [
        ("token", GenerationMode.POSITIVE, token),
        ("token", GenerationMode.NEGATIVE, token),
        ("anonymous", GenerationMode.NEGATIVE, {}),
    ]


def run_writes(operation, mode, kwargs):
    failures = []

    @WRITES
    @given(case=operation.as_strategy(generation_mode=mode, **kwargs))
    def call(case):
        response = case.call(headers=PLAIN)
        try:
            case.validate_response(response, checks=WRITE_CHECKS)
        except (AssertionError, FailureGroup) as error:
            failures.append(f"{case.as_curl_command()}\n  {error!r}"[:600])

    # Unsatisfiable: nothing invalid to send (an action without a body or parameters).
    with contextlib.suppress(Unsatisfiable):
        call()
    return failures


def test_no_generated_write_gets_a_server_error(app, demo):
    operations = writes(app)
    assert len(operations) >= 20, [operation.label for operation in operations]

    failures = []
    for operation in filter(callable_at_all, operations):
        for label, mode, kwargs in write_callers(operation, demo):
            for failure in run_writes(operation, mode, kwargs):
                failures.append(f"{operation.label} ({label}, {mode.value}): {failure}")

    assert not failures, "\n\n".join(failures[:20])


# Inputs the run above found answering 500, kept as plain tests.


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        # The v3 page detail ran in the page's language by looking the id up before the view
        # had checked that it is one (api.v3.pages).
        ("/api/v3/pages/%C3%A4%C2%A9x/", "page_id"),
        ("/api/v3/pages/%C2%B2/", "page_id"),  # "²" is a digit to str.isdigit(), not to int()
        # Wagtail passed these query values to the database unchecked (compat.wagtail_api).
        ("/api/v3/pages/{page_id}/revisions/?user_id=same-origin", "user_id"),
        ("/api/v3/snippets/news.Category/?translation_of=%C3%A2d", "translation_of"),
    ],
)
def test_inputs_that_gave_a_server_error_are_bad_requests(client, demo, url, parameter):
    url = url.format(**demo["path_parameters"])

    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {demo['token']}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [error["loc"][-1] for error in response.json()["errors"]] == [parameter]
