"""An answer the API cannot finish is the server's failure, and takes its write back with it.

django-ninja builds a v3 answer after the view, reading the database again (a page's parent
for its ``meta``, its locale, its tag), and checks it against the operation's schema. When the
database went away meanwhile (a restart, a failover: the connection ended), Wagtail's handler
answered 422 "Validation failed" (400 for a GET here), naming ``response`` paths: a client
told to change a request that was right, while its write had committed. Now a 503 with
Retry-After, as for every request the database fails (``cms.views.server_error``), any other
failure of an answer a 500, and the write and its answer commit together
(``api.v3.transactions``): after a 5xx, sending the write again is safe.

The database really ends the connection (``pg_terminate_backend``), or really refuses a
statement; the test only chooses the moment: the first statement run while ninja builds the
answer. The cluster test (tests/cluster) met the same with PostgreSQL stopped under a stream
of writes.
"""

import json
import sys
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client

from news.models import ArticlePage
from tests.factories import ArticlePageFactory, paragraph, section

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="the database server ends the connection"
    ),
]


def building_the_answer():
    """Whether django-ninja is building an operation's answer, up the stack."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_result_to_response":
            return True
        frame = frame.f_back
    return False


@contextmanager
def while_the_answer_is_built(fault):
    """``fault(execute, sql, params, many, context)`` runs the first statement of the answer."""
    faulted = []

    def wrapper(execute, sql, params, many, context):
        if not faulted and building_the_answer():
            faulted.append(sql)
            return fault(execute, sql, params, many, context)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            yield faulted
    finally:
        # What a server does at the end of each request (the test client leaves it out): a
        # connection the server ended is closed, and the next request opens another.
        connection.close_if_unusable_or_obsolete()


def connection_ended(execute, sql, params, many, context):
    """The server ends the connection (as a restart or a failover does), then the statement
    is sent on it."""
    pid = context["connection"].connection.info.backend_pid
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    return execute(sql, params, many, context)


def statement_refused(execute, sql, params, many, context):
    """A statement the server refuses for what it is, not for being away (a DataError)."""
    return execute("SELECT 1 / 0", None, False, context)


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面の観測", summary="月を観測した。")


def create(auth, index, title):
    data = {
        "meta": {"type": "news.ArticlePage", "parent_id": index.pk, "action": "publish"},
        "title": title,
        "slug": "moon-watch",
        "summary": "月を観測した。",
        "body": [section("概要", [paragraph("月が観測された。")])],
    }
    return server().post(
        "/api/v3/pages/", json.dumps(data), content_type="application/json", **auth
    )


def server():
    """A client that gets the answer a server gives to an exception, as a client would."""
    return Client(raise_request_exception=False)


def assert_unavailable(response):
    assert response.status_code == 503, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "10"
    problem = json.loads(response.content)
    assert problem["status"] == 503
    assert "errors" not in problem  # nothing for the client to change
    assert "terminating" not in response.content.decode()  # nor the server's words


def test_a_read_whose_database_went_away_is_asked_again(article, auth):
    with while_the_answer_is_built(connection_ended) as faulted:
        response = server().get(f"/api/v3/pages/{article.pk}/", **auth)

    assert faulted
    assert_unavailable(response)
    again = Client().get(f"/api/v3/pages/{article.pk}/", **auth)
    assert again.status_code == 200
    assert again.json()["title"] == "月面の観測"


def test_a_write_whose_database_went_away_is_not_written_and_may_be_sent_again(index, auth):
    before = ArticlePage.objects.count()

    with while_the_answer_is_built(connection_ended) as faulted:
        response = create(auth, index, "月の観測")

    assert faulted
    assert_unavailable(response)
    assert ArticlePage.objects.count() == before
    # Sent again as it was: written once, and its slug was free.
    again = create(auth, index, "月の観測")
    assert again.status_code == 201, again.content[:500]
    assert ArticlePage.objects.filter(title="月の観測").count() == 1


def test_an_answer_that_fails_otherwise_is_a_500_and_takes_its_write_back(index, auth):
    before = ArticlePage.objects.count()

    with while_the_answer_is_built(statement_refused) as faulted:
        response = create(auth, index, "月の観測")

    assert faulted
    assert response.status_code == 500, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["detail"] == "Internal server error."
    assert ArticlePage.objects.count() == before


def test_a_read_whose_answer_fails_otherwise_is_a_500_not_a_bad_query(article, auth):
    with while_the_answer_is_built(statement_refused) as faulted:
        response = server().get(f"/api/v3/pages/{article.pk}/", **auth)

    assert faulted
    assert response.status_code == 500, response.content[:500]
    assert json.loads(response.content)["status"] == 500
