"""PostgreSQL reads a search's matches through its GIN indexes, however many pages match.

Its planner does not count reading each document's out-of-line word list: when a word was in
most documents it read the whole table instead, every word list of it (0.7 s at 100,000
article pages, 15 ms through the index). The plans of the statements a search runs, nested
ones included, are read as PostgreSQL executed them (``auto_explain``), with the table's
statistics taken first, as autovacuum takes them sooner or later: a plan must not depend on
whether it has.
"""

import re
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.factories import ArticlePageFactory, paragraph, section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_search_rate_limit")]


@pytest.fixture
def comets(index):
    """Pages that all have the word searched for: the case the planner got wrong."""
    for number in range(12):
        ArticlePageFactory(
            parent=index,
            title=f"Comet report {number}",
            summary="A comet crossed the sky.",
            body=[section("Report", [paragraph("The comet was seen from the harbour.")])],
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")


@contextmanager
def executed_plans():
    """The plans of every statement executed meanwhile on the connection, nested included."""
    plans = []
    connection.ensure_connection()

    def keep(diagnostic):
        if "plan:" in (diagnostic.message_primary or ""):
            plans.append(diagnostic.message_primary)

    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET auto_explain.log_min_duration = 0")
        cursor.execute("SET auto_explain.log_nested_statements = on")
        cursor.execute("SET client_min_messages = log")
    connection.connection.add_notice_handler(keep)
    try:
        yield plans
    finally:
        connection.connection.remove_notice_handler(keep)
        with connection.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = -1")
            cursor.execute("RESET client_min_messages")


TABLE = "core_searchdocument"
GIN_INDEXES = {"core_searchdocument_vector_gin", "core_searchdocument_head_gin"}


def scans(plans):
    """Each scan of the plans: (its kind, what it reads: a table or an index, its filter)."""
    return [
        (kind, target, condition)
        for plan in plans
        for kind, target, condition in re.findall(
            r"((?:Parallel )?(?:Seq|Bitmap Heap|Bitmap Index|Index Only|Index) Scan)"
            r"(?: using \w+)? on (\w+)[^\n]*(?:\n\s+Filter: ([^\n]*))?",
            plan,
        )
    ]


# A page's own document, looked up by its page (its extract): read straight when the table
# has a page or two, through its unique index beyond.
ONE_PAGE = re.compile(r"^\(page_id = \w+\.(?:id|page_ptr_id)\)$")


@pytest.mark.parametrize(
    "path",
    [
        "/ja/search/?q=comet",
        "/ja/search/?q=comet&sort=date",
        "/ja/search/suggest/?q=com",
        "/api/v3/articles/?locale=ja&q=comet",
        "/api/v3/articles/autocomplete/?locale=ja&q=com",
        "/api/v2/pages/?search=comet&locale=ja",
    ],
)
def test_a_word_every_page_has_is_read_through_the_index(client, comets, path):
    with executed_plans() as plans:
        response = client.get(path)
    assert response.status_code == 200
    assert b"report" in response.content  # the titles found (their words marked)
    read = scans(plans)
    assert {target for kind, target, _ in read if kind == "Bitmap Index Scan"} & GIN_INDEXES, plans
    whole_table = [
        plan
        for plan in plans
        for kind, target, condition in scans([plan])
        if "Seq Scan" in kind and target == TABLE and not ONE_PAGE.match(condition)
    ]
    assert not whole_table, "\n\n".join(whole_table)
