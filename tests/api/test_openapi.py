"""The v3 OpenAPI document: valid, and every change to it visible in review (snapshot)."""

import json
import os
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi-v3.json"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def test_the_document_is_valid_openapi(document):
    validate(document)  # raises, naming the first error


def test_anonymous_access_is_an_optional_token_not_a_made_up_scheme(document):
    assert set(document["components"]["securitySchemes"]) == {"BearerTokenAuth"}
    reading = document["paths"]["/api/v3/pages/"]["get"]["security"]
    writing = document["paths"]["/api/v3/pages/"]["post"]["security"]
    assert reading == [{"BearerTokenAuth": []}, {}]
    assert writing == [{"BearerTokenAuth": []}]


@pytest.mark.parametrize("accept_language", ["ja", "en", "de"])
def test_our_page_fields_are_described_in_english_whatever_the_language(
    client, db, accept_language
):
    """The contract is read by developers, and must not change with the site's language."""
    response = client.get("/api/v3/openapi.json", HTTP_ACCEPT_LANGUAGE=accept_language)
    field = response.json()["components"]["schemas"]["ArticlePageSchema"]["properties"]
    assert field["display_date"]["title"] == "Publication Date"
    assert field["display_date"]["description"] == (
        "The date and time readers see; the list is ordered by it. A time in the future "
        "schedules the article: publishing it makes it go live at that time, not now."
    )


def test_the_document_matches_its_snapshot(document):
    """A change to the API contract shows up as a change to tests/api/snapshots/.

    After an intended change: ``UPDATE_SNAPSHOTS=1 make test PYTEST_ARGS=tests/api`` and
    commit the new snapshot with the change.
    """
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if UPDATE or not SNAPSHOT.exists():
        SNAPSHOT.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"No snapshot yet: wrote {SNAPSHOT.name}; review and commit it.")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "The OpenAPI document changed; if intended, run with UPDATE_SNAPSHOTS=1 and commit "
        "tests/api/snapshots/openapi-v3.json."
    )


def walk_titles(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and isinstance(value, str):
                yield value
            else:
                yield from walk_titles(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_titles(item)


def test_every_title_is_english_whatever_language_the_site_loads_in(client, db):
    """Titles come from the models' labels: built in the site's default language (Japanese)
    the snippet types' fields were named in Japanese, and only where the catalogs were
    compiled."""
    document = client.get("/api/v3/openapi.json").json()
    not_english = [title for title in walk_titles(document) if re.search(r"[^\x00-\x7f–—’]", title)]
    assert not_english == []
