"""The v3 OpenAPI document: valid, and every change to it visible in review (snapshot)."""

import json
import os
from pathlib import Path

import pytest
from openapi_spec_validator import validate

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi-v3.json"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


@pytest.fixture
def document(client, db):
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_document_is_valid_openapi(document):
    validate(document)  # raises, naming the first error


def test_anonymous_access_is_an_optional_token_not_a_made_up_scheme(document):
    assert set(document["components"]["securitySchemes"]) == {"BearerTokenAuth"}
    reading = document["paths"]["/api/v3/pages/"]["get"]["security"]
    writing = document["paths"]["/api/v3/pages/"]["post"]["security"]
    assert reading == [{"BearerTokenAuth": []}, {}]
    assert writing == [{"BearerTokenAuth": []}]


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
