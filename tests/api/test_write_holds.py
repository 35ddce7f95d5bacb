"""What v3 writes already get right, kept so: no script URLs saved, read-only fields stay as
they are, and parallel creates leave a valid page tree."""

import io
import json
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from wagtail.models import Page

from news.models import ArticlePage
from tests.api.tokens import token_for
from tests.factories import full_article, paragraph, section

TYPE = {"type": "news.ArticlePage"}
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]
SCRIPT_SCHEME = re.compile(r"(?:java\s*script|data|vbscript)\s*:", re.IGNORECASE)


@pytest.fixture
def article(index, category):
    page = full_article(index, title="月面着陸", slug="moon-landing", category=category)
    page.save_revision().publish()
    return page


def url(page):
    return f"/api/v3/pages/{page.pk}/"


def patch(client, page, auth, data):
    tag = client.get(url(page), {"version": "draft"}, **auth)["ETag"]
    return client.patch(
        url(page),
        json.dumps({"meta": {**TYPE, "action": "publish"}, **data}),
        content_type="application/json",
        HTTP_IF_MATCH=tag,
        **auth,
    )


def text_of(value):
    """Every string inside a stored StreamField value, joined (no JSON escapes to hide in)."""
    if isinstance(value, dict):
        return " ".join(text_of(child) for child in value.values())
    if isinstance(value, list):
        return " ".join(text_of(child) for child in value)
    return str(value)


def saved(page):
    return ArticlePage.objects.get(pk=page.pk)


# ---------------------------------------------------------------------------
# javascript:, data: and vbscript: URLs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("href", SCRIPT_URLS)
def test_a_script_link_in_rich_text_is_never_saved_or_served(client, auth, article, href):
    link = f'<p>Read <a href="{href}">this</a>.</p>'
    body = [section("Links", [paragraph(link)])]

    response = patch(client, article, auth, {"body": body, "summary": "Links."})

    assert response.status_code in (200, 422), response.content
    stored = text_of(list(saved(article).body.raw_data))
    assert not SCRIPT_SCHEME.search(stored)
    if response.status_code == 200:  # the link is stripped, its text kept
        assert "Read this" in re.sub(r"<[^>]*>", "", stored)
    reader = client.get(saved(article).url)
    assert reader.status_code == 200
    assert not SCRIPT_SCHEME.search(re.sub(r"<script.*?</script>", "", reader.content.decode()))
    api = client.get(url(article)).content.decode()
    assert not SCRIPT_SCHEME.search(api)


@pytest.mark.parametrize("href", SCRIPT_URLS)
def test_a_script_url_as_a_reference_or_embed_is_refused(client, auth, article, href):
    embed = {"type": "embed", "value": {"embed": href, "caption": ""}}
    before = list(saved(article).references.raw_data)
    references = json.loads(json.dumps(before))
    references[0]["value"]["url"] = href

    as_reference = patch(client, article, auth, {"references": references})
    as_embed = patch(
        client,
        article,
        auth,
        {"body": [section("Video", [embed])], "references": before},
    )

    assert as_reference.status_code == 422, as_reference.content
    assert as_reference.json()["errors"][0]["loc"] == ["references", 0, "value", "url"]
    assert as_embed.status_code == 422, as_embed.content
    assert as_embed.json()["errors"][0]["loc"][-1] == "embed"
    assert not SCRIPT_SCHEME.search(text_of(list(saved(article).references.raw_data)))
    assert not SCRIPT_SCHEME.search(text_of(list(saved(article).body.raw_data)))


# ---------------------------------------------------------------------------
# Read-only fields (docs/api.md: "sending them changes nothing")
# ---------------------------------------------------------------------------


def test_read_only_fields_in_a_patch_change_nothing(client, auth, article, admin_user):
    page = saved(article)
    before = {
        name: getattr(page, name)
        for name in (
            "pk",
            "owner_id",
            "locale_id",
            "live",
            "first_published_at",
            "path",
            "depth",
            "url_path",
            "translation_key",
            "content_type_id",
            "featured",
            "locked",
        )
    }
    sneaky = {
        "id": page.pk + 1000,
        "owner": admin_user.pk + 1000,
        "locale": "en",
        "live": False,
        "first_published_at": "2001-01-01T00:00:00Z",
        "path": "0001",
        "depth": 1,
        "url_path": "/elsewhere/",
        "translation_key": "00000000-0000-0000-0000-000000000000",
        "content_type": 1,
        "featured": not page.featured,
        "locked": True,
    }
    tag = client.get(url(page), {"version": "draft"}, **auth)["ETag"]

    response = client.patch(
        url(page),
        json.dumps(
            {
                "meta": {
                    **TYPE,
                    "action": "publish",
                    "first_published_at": "2001-01-01T00:00:00Z",
                    "locale": "en",
                    "live": False,
                    "owner": admin_user.pk + 1000,
                    "parent_id": Page.objects.get(depth=1).pk,
                    "html_url": "https://evil.example/",
                },
                **sneaky,
                "summary": "Only this changes.",
            }
        ),
        content_type="application/json",
        HTTP_IF_MATCH=tag,
        **auth,
    )

    assert response.status_code == 200, response.content
    page = saved(article)
    assert page.summary == "Only this changes."
    assert {name: getattr(page, name) for name in before} == before
    assert page.get_parent().pk == article.get_parent().pk


# ---------------------------------------------------------------------------
# Parallel creates under one parent
# ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_creates_leave_a_valid_tree(admin_user, index):
    """Eight creates under one parent at once, each on its own database connection."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the suite also runs on PostgreSQL")
    auth = token_for(admin_user)
    start = threading.Barrier(8)
    statuses = []

    def create(n):
        try:
            data = {
                "meta": {**TYPE, "parent_id": index.pk},
                "title": f"Parallel {n}",
                "summary": "S.",
                "body": [section("One", [paragraph("Text.")])],
            }
            start.wait()
            response = Client().post(
                "/api/v3/pages/", json.dumps(data), content_type="application/json", **auth
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 8
    out = io.StringIO()
    call_command("fixtree", stdout=out)
    assert "No problems found" in out.getvalue(), out.getvalue()
    children = Page.objects.get(pk=index.pk).get_children()
    assert children.filter(title__startswith="Parallel").count() == 8
    assert Page.objects.get(pk=index.pk).numchild == children.count()
    paths = list(children.values_list("path", flat=True))
    assert len(paths) == len(set(paths))
