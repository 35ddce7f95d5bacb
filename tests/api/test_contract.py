"""The v3 contract, walked on the demo: what the OpenAPI document says is what clients get.

The demo is loaded once for this module (in a transaction rolled back at its end, its
translations published as they are after a commit). The walk reads the site as a frontend
would, discovering what to ask for from the answers themselves: the site's languages, then in
each language its pages (by id and by the path readers see), the article cards with every
filter and order, the article in each language with and without a fallback, categories,
authors and the change feed; then images, documents, redirects, sites, snippets, revisions
and a preview with a token. Every answer is checked against the document:

- its status is one the operation declares, with the declared media type, and its JSON is
  valid against the declared schema, with every object closed (a field the document does not
  name fails) and formats checked;
- a field that the schema calls optional but that every answer carries is reported: a
  generated client would make every reader of it check for its absence;
- a page's field that the schema calls nullable but no answer has as null is reported,
  unless ``NULLABLE_ELSEWHERE`` names the case that makes it null.

The walk also proves its own reach: every read operation answered at least once (a ``find``
with its redirect), and every query parameter the document gives a read operation was sent
at least once.
"""

import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import jsonschema_rs
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import APIToken, Page

from preview.tokens import make_token, take_snapshot

# Read operations that cannot answer 200 on the demo, and why.
UNREACHABLE = {
    # No snippet type keeps revisions: the path parameter can take no value.
    "snippets_revisions_list": "no snippet type keeps revisions",
    "snippets_revisions_detail": "no snippet type keeps revisions",
}
# Page fields that are null in no answer of the demo, with the case that makes them null.
NULLABLE_ELSEWHERE = {
    "category": "an article without a category",
    "lead_image": "an article without a lead image",
    "lead_image_rendition": "an article without a lead image",
    "lead_image_renditions": "an article without a lead image",
    "lead_image_thumbnail": "an article without a lead image",
}


# -- the demo ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site in the test database, for this module only."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("contract-media"))
    with django_db_blocker.unblock(), media:
        cache.clear()
        with transaction.atomic():
            # wagtail-localize publishes translations once the transaction commits.
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("load_demo", no_admin=True, stdout=io.StringIO())
            yield
            transaction.set_rollback(True)
        cache.clear()


@pytest.fixture(scope="module")
def document(demo):
    response = Client().get("/api/v3/openapi.json")
    assert response.status_code == 200
    return response.json()


# -- matching answers to the document -----------------------------------------------------


class Contract:
    """The document's read operations, and a validator per response schema."""

    def __init__(self, document):
        self.document = document
        self.components = closed(document["components"])
        self.operations = []  # (pattern, operation id, operation)
        for path, methods in document["paths"].items():
            operation = methods.get("get")
            if operation is None:
                continue
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
            self.operations.append((pattern, operation["operationId"], operation))
        # Fixed paths before templated ones (/pages/find/ before /pages/{page_id}/).
        self.operations.sort(key=lambda entry: entry[0].pattern.count("[^/]+"))
        self._validators = {}

    def operation_at(self, path):
        for pattern, operation_id, operation in self.operations:
            if pattern.match(path):
                return operation_id, operation
        return None, None

    def resolve(self, schema):
        """(component name or None, schema) with ``$ref`` followed."""
        name = None
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            schema = self.components["schemas"][name]
        return name, schema

    def validator(self, schema):
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = jsonschema_rs.validator_for(
                {**schema, "components": self.components}, validate_formats=True
            )
        return self._validators[key]

    def errors(self, schema, instance):
        return [
            f"{'/'.join(map(str, error.instance_path))}: {error.message}"[:300]
            for error in self.validator(schema).iter_errors(instance)
        ]


def closed(components):
    """The document's components with every object closed: an undocumented key fails."""
    components = json.loads(json.dumps(components))
    for schema in components["schemas"].values():
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    return components


@dataclass
class Presence:
    """How often each property of a component was seen, and seen as null."""

    objects: dict = field(default_factory=lambda: defaultdict(int))
    present: dict = field(default_factory=lambda: defaultdict(int))
    null: dict = field(default_factory=lambda: defaultdict(int))
    nullable: dict = field(default_factory=dict)
    required: dict = field(default_factory=dict)

    def visit(self, contract, schema, instance, component=None):
        """Walk ``instance`` along ``schema``, counting the properties of each component."""
        name, schema = contract.resolve(schema)
        component = name or component
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                for member in self.members(contract, schema, keyword, instance):
                    self.visit(contract, member, instance, component)
        for member in schema.get("allOf", ()):
            self.visit(contract, member, instance, component)
        if isinstance(instance, list) and isinstance(schema.get("items"), dict):
            for item in instance:
                self.visit(contract, schema["items"], item, component)
        if not isinstance(instance, dict):
            return
        properties = schema.get("properties", {})
        if properties and name:
            self.objects[name] += 1
            for key, subschema in properties.items():
                self.required[name, key] = key in schema.get("required", ())
                self.nullable[name, key] = nullable(contract, subschema)
                if key in instance:
                    self.present[name, key] += 1
                    self.null[name, key] += instance[key] is None
        for key, value in instance.items():
            if key in properties:
                self.visit(contract, properties[key], value, component)
            elif isinstance(schema.get("additionalProperties"), dict):
                self.visit(contract, schema["additionalProperties"], value, component)

    @staticmethod
    def members(contract, schema, keyword, instance):
        """The members of a union that ``instance`` is an instance of."""
        discriminator = schema.get("discriminator")
        if discriminator and isinstance(instance, dict):
            mapping = discriminator.get("mapping", {})
            tag = instance.get(discriminator["propertyName"])
            if tag in mapping:
                return [{"$ref": mapping[tag]}]
        return [
            member for member in schema[keyword] if contract.validator(member).is_valid(instance)
        ]


def nullable(contract, schema):
    _, schema = contract.resolve(schema)
    if schema.get("type") == "null" or "null" in (schema.get("type") or []):
        return True
    return any(
        nullable(contract, member) for member in schema.get("anyOf", []) + schema.get("oneOf", [])
    )


# -- the walk -----------------------------------------------------------------------------


@dataclass
class Exchange:
    url: str
    operation_id: str
    status: int
    content_type: str
    body: object


class Walk:
    """A client that remembers every answer, for the checks below."""

    def __init__(self, contract, token):
        self.contract = contract
        self.client = Client()
        self.bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        self.exchanges = []
        self.failures = []
        self.sent = defaultdict(set)  # operation id: query parameters sent

    def get(self, url, *, token=False, expect=(200,)):
        """GET ``url``, check its answer against the document, return its JSON (or None)."""
        response = self.client.get(url, **(self.bearer if token else {}))
        parts = urlsplit(url)
        operation_id, operation = self.contract.operation_at(parts.path)
        assert operation is not None, f"{url}: no operation of the document has this path"
        self.sent[operation_id] |= {name for name, _ in parse_qsl(parts.query)}
        content_type = response.get("Content-Type", "").split(";")[0]
        body = json.loads(response.content) if "json" in content_type else None
        self.exchanges.append(Exchange(url, operation_id, response.status_code, content_type, body))
        self.check(url, operation, response, content_type, body)
        # The walk goes on from what it reads: an unexpected status ends it at once.
        assert response.status_code in expect, f"{url}: {response.status_code} {body}"
        if response.status_code == 302:
            return response["Location"]
        return body if response.status_code == 200 else None

    def check(self, url, operation, response, content_type, body):
        declared = operation["responses"].get(str(response.status_code))
        if declared is None:
            self.failures.append(f"{url}: {response.status_code} is not declared")
            return
        if response.status_code == 302:
            for header in ("Location", "ETag"):
                if header not in declared.get("headers", {}):
                    self.failures.append(f"{url}: the 302's {header} is not declared")
                if not response.has_header(header):
                    self.failures.append(f"{url}: the 302 has no {header}")
            return
        content = declared.get("content", {})
        if content_type not in content:
            self.failures.append(f"{url}: {content_type} is not declared ({list(content)})")
            return
        schema = content[content_type]["schema"]
        for error in self.contract.errors(schema, body)[:5]:
            self.failures.append(f"{url}: {error}")
        is_page = self.contract.resolve(schema)[0] in ("Page", "ArticleInLanguageSchema")
        if is_page and body.get("type") != body["meta"]["type"]:
            self.failures.append(f"{url}: type {body.get('type')!r}, not meta.type's")

    def follow(self, url, **kwargs):
        """GET ``url``, which answers a redirect, then where it leads (v3's ``find`` by path
        leads to ``find`` by id first)."""
        for _ in range(3):
            url = self.get(url, expect=(302,))
            if url is None or not urlsplit(url).path.endswith("/find/"):
                break
        return self.get(url, **kwargs) if url else None


def path_of(url):
    return urlsplit(url).path


def query(path, **params):
    params = {name: value for name, value in params.items() if value is not None}
    return f"{path}?{urlencode(params)}" if params else path


def walk_languages(walk, languages):
    articles = defaultdict(dict)  # translation group (the Japanese id): {language: id}
    for language in languages:
        pages = walk.get(query("/api/v3/pages/", locale=language, limit=100))["items"]
        home = next(page for page in pages if page["meta"]["type"] == "home.HomePage")
        own_articles = [page for page in pages if page["meta"]["type"] == "news.ArticlePage"]
        first = own_articles[0]
        walk.get(query("/api/v3/pages/", locale=language, type="news.ArticlePage", order="title"))
        walk.get(query("/api/v3/pages/", locale=language, child_of=home["id"], offset=1, limit=2))
        walk.get(query("/api/v3/pages/", descendant_of=home["id"], site="testserver"))
        walk.get(query("/api/v3/pages/", ancestor_of=first["id"]))
        walk.get(query("/api/v3/pages/", translation_of=first["id"]))
        walk.get(query("/api/v3/pages/", locale=language, search=first["title"]))
        walk.get(query("/api/v3/pages/", locale=language, search="moon JAXA", search_operator="or"))

        for page in pages:
            detail = walk.get(f"/api/v3/pages/{page['id']}/")
            reader_path = path_of(detail["meta"]["html_url"])
            walk.follow(query("/api/v3/pages/find/", html_path=reader_path))
            if quote(reader_path) != reader_path:
                walk.follow(query("/api/v3/pages/find/", html_path=quote(reader_path)))
            if page["meta"]["type"] == "news.ArticlePage":
                source = detail["alternates"].get("ja", {"id": page["id"]})["id"]
                articles[source][language] = page["id"]
        for rich_text_format in ("html", "markdown", "db_html", "db_markdown"):
            walk.get(query(f"/api/v3/pages/{first['id']}/", rich_text_format=rich_text_format))
        walk.get(query(f"/api/v3/pages/{home['id']}/", version="live"))
        walk.follow(
            query("/api/v3/pages/find/", id=first["id"], version="live", rich_text_format="html")
        )
        walk.follow(query("/api/v3/pages/find/", html_path=f"/{language}/", site="testserver"))
    return articles


def walk_articles(walk, languages, articles):
    categories = walk.get("/api/v3/categories/?locale=en")["items"]
    authors = walk.get("/api/v3/authors/?locale=en")["items"]
    cards = "/api/v3/articles/"
    walk.get(query(cards, limit=100))  # every language
    for language in languages:
        listed = walk.get(query(cards, locale=language))["items"]
        for order in ("-display_date", "display_date", "title", "-title"):
            walk.get(query(cards, locale=language, order=order, limit=3, offset=1))
        for category in categories:
            walk.get(query(cards, locale=language, category=category["slug"]))
        for author in authors:
            walk.get(query(cards, locale=language, author=author["slug"]))
        walk.get(query(cards, locale=language, fallback="en,ja", site="testserver"))
        walk.get(
            query(
                cards, locale=language, published_after="2024-01-01", published_before="2025-12-31"
            )
        )
        word = listed[0]["title"].split()[0]
        walk.get(query(cards, locale=language, q=word, order="relevance"))
        walk.get(query(f"{cards}autocomplete/", locale=language, q=word[:3], limit=3))
        walk.get(query(f"{cards}autocomplete/", locale=language, q=word, site="testserver"))
        for versions in articles.values():
            any_id = next(iter(versions.values()))
            expect = (200,) if language in versions else (404,)
            walk.get(query(f"{cards}{any_id}/", locale=language), expect=expect)
            walk.get(query(f"{cards}{any_id}/", locale=language, fallback="en,ja"))
            walk.follow(query("/api/v3/pages/find/", id=any_id, locale=language, fallback="ja"))
        own = next(versions[language] for versions in articles.values() if language in versions)
        walk.get(f"{cards}{own}/")
        walk.get(query(f"{cards}{own}/", rich_text_format="markdown", site="testserver"))

        for kind in ("categories", "authors"):
            items = walk.get(query(f"/api/v3/{kind}/", locale=language))["items"]
            walk.get(query(f"/api/v3/{kind}/", locale=language, order="-name", limit=2, offset=1))
            for item in items:
                walk.get(f"/api/v3/{kind}/{item['id']}/")
        feed = walk.get(query("/api/v3/changes/", locale=language, limit=5))
        walk.get(query("/api/v3/changes/", updated_since=feed["next_cursor"]))
        walk.get(query("/api/v3/changes/", event="page.published", type="news.ArticlePage"))


def walk_library(walk):
    for kind in ("images", "documents"):
        items = walk.get(f"/api/v3/{kind}/?limit=100")["items"]
        walk.get(query(f"/api/v3/{kind}/", order="-title", limit=2, offset=1))
        walk.get(query(f"/api/v3/{kind}/", search="moon", search_operator="or"))
        for item in items:
            walk.get(f"/api/v3/{kind}/{item['id']}/")
    walk.get("/api/v3/site-config/")
    redirects = walk.get("/api/v3/redirects/?order=old_path&limit=5&offset=0", token=True)
    for redirect in redirects["items"]:
        walk.get(f"/api/v3/redirects/{redirect['id']}/", token=True)
        walk.follow(query("/api/v3/redirects/find/", html_path=redirect["old_path"]))
        walk.follow(query("/api/v3/redirects/find/", id=redirect["id"]))


def walk_with_token(walk, articles):
    user_id = walk.get("/api/v3/whoami/", token=True)["user"]["id"]
    for site in walk.get("/api/v3/sites/?limit=5&offset=0", token=True)["items"]:
        walk.get(f"/api/v3/sites/{site['id']}/", token=True)
    for content_type in walk.get("/api/v3/schema/", token=True)["types"]:
        walk.get(f"/api/v3/schema/{content_type['name']}/", token=True)
    for snippet_type in ("news.Category", "news.Author"):
        base = f"/api/v3/snippets/{snippet_type}/"
        items = walk.get(query(base, locale="ja", order="-id", limit=10), token=True)["items"]
        walk.get(query(base, translation_of=items[0]["id"], offset=1), token=True)
        walk.get(query(base, search="a", search_operator="or"), token=True)
        walk.get(query(base, rich_text_format="markdown"), token=True)
        for item in items:
            walk.get(query(f"{base}{item['id']}/", version="live"), token=True)
        walk.get(query(f"{base}{items[0]['id']}/", rich_text_format="html"), token=True)
    for versions in list(articles.values())[:2]:
        for page_id in versions.values():
            walk.get(query(f"/api/v3/pages/{page_id}/", version="draft"), token=True)
            base = f"/api/v3/pages/{page_id}/revisions/"
            revisions = walk.get(base, token=True)["items"]
            walk.get(f"{base}{revisions[0]['id']}/", token=True)
    dates = {
        "created_at_from": "2000-01-01T00:00:00Z",
        "created_at_to": "2100-01-01T00:00:00Z",
        "approved_go_live_at_from": "2000-01-01T00:00:00Z",
        "approved_go_live_at_to": "2100-01-01T00:00:00Z",
    }
    walk.get(query(base, object_str="a", user_id=user_id, limit=1, offset=0, **dates), token=True)
    walk.get(query("/api/v3/pages/", locale="en", limit=3), token=True)


def walk_previews(walk):
    for page in Page.objects.live().specific().order_by("path"):
        if page.depth < 2 or page.locale.language_code not in ("ja", "th"):
            continue
        token = make_token(take_snapshot(page))
        walk.get(query("/api/v3/preview/", token=token))
        walk.get(
            query(
                "/api/v3/preview/",
                token=token,
                content_type=page.specific_class._meta.label,
                locale=page.locale.language_code,
                rich_text_format="markdown",
            )
        )
    walk.get("/api/v3/preview/?token=nonsense", expect=(401,))


def walk_errors(walk):
    """Errors are answers too: each must be one the operation declares, as a problem."""
    walk.get("/api/v3/articles/?locale=xx", expect=(404,))
    walk.get("/api/v3/articles/?order=relevance", expect=(400,))
    walk.get("/api/v3/pages/9999999/", expect=(404,))
    walk.get("/api/v3/pages/find/?html_path=/ja/no-such-page/", expect=(404,))
    walk.get("/api/v3/categories/?limit=1000", expect=(400,))
    walk.get("/api/v3/changes/?updated_since=yesterday", expect=(400,))
    walk.get("/api/v3/whoami/", expect=(401,))


def walk_the_demo(document):
    """Every answer of the walk, checked as it comes (``Walk``), and what they hold."""
    admin = get_user_model().objects.create_superuser("contract", "contract@example.com", "pw")
    _, token = APIToken.create_token(user=admin, name="contract")
    # What the demo has none of: a document and a redirect.
    get_document_model().objects.create(
        title="Press kit", file=ContentFile(b"%PDF-1.4", name="press-kit.pdf")
    )
    Redirect.objects.create(
        old_path="/ja/old-moon-story",
        redirect_page=Page.objects.get(
            url_path__endswith="/slim-pinpoint-moon-landing/", locale__language_code="ja"
        ),
    )
    walk = Walk(Contract(document), token)
    languages = [language["code"] for language in walk.get("/api/v3/site-config/")["languages"]]
    articles = walk_languages(walk, languages)
    walk_articles(walk, languages, articles)
    walk_library(walk)
    walk_with_token(walk, articles)
    walk_previews(walk)
    walk_errors(walk)
    return walk, presence_in(walk.contract, walk.exchanges)


def presence_in(contract, exchanges):
    presence = Presence()
    for exchange in exchanges:
        operation = contract.operation_at(path_of(exchange.url))[1]
        declared = operation["responses"].get(str(exchange.status), {}).get("content", {})
        if exchange.content_type in declared:
            presence.visit(contract, declared[exchange.content_type]["schema"], exchange.body)
    return presence


# -- the checks ---------------------------------------------------------------------------


def always_present_but_optional(presence):
    return sorted(
        f"{name}.{key} (in all {presence.objects[name]})"
        for (name, key), required in presence.required.items()
        if not required and presence.present[name, key] == presence.objects[name]
    )


def nullable_but_never_null(presence, pages):
    """A page's own fields are nullable only where they can be null (``api.v3.read_schemas``;
    its meta and the other schemas are typed as Wagtail types them)."""
    return sorted(
        f"{name}.{key}"
        for (name, key), is_nullable in presence.nullable.items()
        if name in pages
        and is_nullable
        and presence.present[name, key]
        and not presence.null[name, key]
        and key not in NULLABLE_ELSEWHERE
    )


def not_reached(walk):
    answered = {
        exchange.operation_id for exchange in walk.exchanges if exchange.status in (200, 302)
    }
    missing = []
    for _, operation_id, operation in walk.contract.operations:
        if operation_id in UNREACHABLE:
            continue
        if operation_id not in answered:
            missing.append(f"{operation_id}: never answered 200")
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if parameter["in"] == "query" and name not in walk.sent[operation_id]:
                missing.append(f"{operation_id}: ?{name} never sent")
    return missing


# One test: the demo is loaded once, in the one process that runs it (pytest-xdist spreads a
# module's tests over its processes).
@pytest.mark.django_db
def test_every_answer_of_the_demo_is_what_the_document_says(document):
    walk, presence = walk_the_demo(document)
    mapping = document["components"]["schemas"]["Page"]["discriminator"]["mapping"]
    pages = {ref.rsplit("/", 1)[1] for ref in mapping.values()} | {"ArticleInLanguageSchema"}

    problems = {
        "Answers that are not as the document declares them": walk.failures,
        "Optional in the document, in every answer": always_present_but_optional(presence),
        "Page fields nullable in the document, null in no answer": nullable_but_never_null(
            presence, pages
        ),
        "Not reached by the walk": not_reached(walk),
    }

    assert len(walk.exchanges) > 500
    assert not any(problems.values()), "\n\n".join(
        f"{title}:\n  " + "\n  ".join(found[:40]) for title, found in problems.items() if found
    )


def test_the_checks_see_what_they_look_for():
    """An optional field that every answer has, a nullable page field that is never null,
    and a field no schema names, in answers made up for a small document."""
    document = {
        "paths": {
            "/api/v3/things/{id}/": {
                "get": {
                    "operationId": "things_detail",
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ThingSchema"}
                                }
                            }
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "ThingSchema": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    },
                    "required": ["id", "note"],
                }
            }
        },
    }
    contract = Contract(document)
    answers = [{"id": 1, "name": "a", "note": "x"}, {"id": 2, "name": "b", "note": "y"}]
    exchanges = [
        Exchange(
            f"/api/v3/things/{answer['id']}/", "things_detail", 200, "application/json", answer
        )
        for answer in answers
    ]

    presence = presence_in(contract, exchanges)

    assert always_present_but_optional(presence) == ["ThingSchema.name (in all 2)"]
    assert nullable_but_never_null(presence, {"ThingSchema"}) == ["ThingSchema.note"]
    schema = document["paths"]["/api/v3/things/{id}/"]["get"]["responses"]["200"]["content"]
    errors = contract.errors(schema["application/json"]["schema"], {**answers[0], "extra": 1})
    assert errors and "extra" in errors[0]
