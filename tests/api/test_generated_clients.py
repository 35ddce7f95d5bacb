"""Clients generated from the v3 OpenAPI document, with the three generators frontend teams use.

- **openapi-typescript** (npm, at the versions of examples/typescript/package-lock.json, which
  ``make test`` installs) types the example client, examples/typescript/client.ts, and
  ``tsc --strict`` checks it: it reads pages after narrowing them on ``type``, without a cast.
  A page read without narrowing must not compile, and the compiled client, run by Node.js on
  real answers, tells each page type by its ``type``.
- **openapi-python-client** generates every operation, without a warning, and its client
  reads real answers (through the Django test client) into each page type's class.
- **datamodel-code-generator** generates the models without a warning, and its ``Page``
  reads real answers into each page type's class.
"""

import importlib
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import httpx
import pytest
from django.core.cache import cache

from tests.factories import AuthorFactory, StandardPageFactory, full_article

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "typescript"
NPM_BIN = EXAMPLE / "node_modules" / ".bin"
# A page read before narrowing it: not every page has a body.
UNNARROWED = """
import type { components } from "./ukiyo-api.js";

export function body(page: components["schemas"]["Page"]) {
  return page.body;
}
"""
# Runs the compiled client on real answers, and lists the casts its source makes.
RUN_CLIENT = """
import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe } from "./dist/client.js";

const pages = JSON.parse(readFileSync("pages.json", "utf8"));
const text = readFileSync("client.ts", "utf8");
const source = ts.createSourceFile("client.ts", text, ts.ScriptTarget.Latest, true);
const casts = [];
(function visit(node) {
  if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)
      || ts.isNonNullExpression(node) || node.kind === ts.SyntaxKind.AnyKeyword) {
    casts.push(node.getText(source));
  }
  ts.forEachChild(node, visit);
})(source);
if (text.includes("@ts-")) casts.push("@ts- comment");
console.log(JSON.stringify({ described: pages.map(describe), casts }));
"""


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def document(client, db, tmp_path):
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    path = tmp_path / "openapi.json"
    path.write_bytes(response.content)
    return path


@pytest.fixture
def pages(client, index, category, locales):
    """Real answers of the pages detail: an article, a standard page, a home page."""
    author = AuthorFactory(name="山田花子", locale=locales["ja"])
    article = full_article(
        index, author=author, category=category, title="月面着陸", slug="moon-landing"
    )
    terms = StandardPageFactory(parent=index.get_parent(), title="利用規約", summary="規約")
    answers = {}
    for page in (article, terms, index.get_parent()):
        response = client.get(f"/api/v3/pages/{page.pk}/")
        assert response.status_code == 200
        answers[page.specific_class._meta.label] = response.json()
    return answers


def run(command, cwd):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def npm_tool(name):
    path = NPM_BIN / name
    if not path.exists():
        pytest.fail(
            f"{path} is missing: `make test` installs it (npm ci in examples/typescript/).",
            pytrace=False,
        )
    return str(path)


# -- openapi-typescript and tsc ------------------------------------------------------------


def test_the_typescript_client_type_checks_and_narrows_pages(document, pages, tmp_path):
    work = tmp_path / "client"
    work.mkdir()
    for name in ("client.ts", "tsconfig.json", "package.json"):
        shutil.copyfile(EXAMPLE / name, work / name)
    (work / "node_modules").symlink_to(EXAMPLE / "node_modules")
    (work / "unnarrowed.ts").write_text(UNNARROWED)
    config = json.loads((work / "tsconfig.json").read_text())
    config["files"] = ["client.ts", "unnarrowed.ts"]
    (work / "tsconfig.json").write_text(json.dumps(config))

    status, output = run(
        [npm_tool("openapi-typescript"), str(document), "-o", "ukiyo-api.d.ts"], work
    )
    assert status == 0, output
    assert "warn" not in output.lower() and "⚠" not in output, output

    status, output = run([npm_tool("tsc"), "-p", "tsconfig.json"], work)
    errors = [line for line in output.splitlines() if ": error TS" in line]
    assert errors, "a page read without narrowing it compiled"
    assert all(line.startswith("unnarrowed.ts") for line in errors), output
    assert "TS2339: Property 'body' does not exist" in output

    (work / "pages.json").write_text(json.dumps(list(pages.values())))
    (work / "run.mjs").write_text(RUN_CLIENT)
    status, output = run(["node", "run.mjs"], work)
    assert status == 0, output
    result = json.loads(output)
    assert result["casts"] == []
    article = pages["news.ArticlePage"]
    assert result["described"] == [
        f"月面着陸 [{article['category']['name']}] by {article['authors'][0]['name']} (ja): "
        + " / ".join(section["value"]["heading"] for section in article["body"]),
        "利用規約: 規約",
        f"{pages['home.HomePage']['title']}: {pages['home.HomePage']['tagline']}",
    ]


# -- openapi-python-client -----------------------------------------------------------------


def operation_ids(path):
    document = json.loads(path.read_text())
    return {
        operation["operationId"]
        for methods in document["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict)
    }


def generate_python_client(document, folder):
    """Run openapi-python-client on the document: (exit status, output, package)."""
    config = folder / "generator.yaml"
    config.write_text("post_hooks: []\n")  # no formatting of the generated code
    generator = Path(sys.executable).with_name("openapi-python-client")
    package = folder / "ukiyo_client"
    command = [generator, "generate", "--path", document, "--output-path", package]
    status, output = run([*command, "--meta", "none", "--config", config], folder)
    return status, output, package


def test_openapi_python_client_generates_every_operation_and_reads_pages(
    client, document, pages, tmp_path, monkeypatch
):
    status, output, package = generate_python_client(document, tmp_path)

    assert status == 0, output
    assert "warning" not in output.lower(), output
    generated = {path.stem for path in (package / "api").glob("*/*.py")} - {"__init__"}
    assert generated == operation_ids(document)

    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        read_pages_with_the_python_client(client, pages)
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == "ukiyo_client"]:
            del sys.modules[name]


def read_pages_with_the_python_client(client, pages):
    api = importlib.import_module("ukiyo_client")
    pages_detail = importlib.import_module("ukiyo_client.api.pages.pages_detail")
    pages_find = importlib.import_module("ukiyo_client.api.pages.pages_find")
    models = importlib.import_module("ukiyo_client.models")

    def through_django(request):
        response = client.get(request.url.raw_path.decode())
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.content
        )

    ukiyo = api.Client(
        base_url="http://testserver",
        follow_redirects=True,
        httpx_args={"transport": httpx.MockTransport(through_django)},
    )
    classes = {
        "news.ArticlePage": models.ArticlePageSchema,
        "home.StandardPage": models.StandardPageSchema,
        "home.HomePage": models.HomePageSchema,
    }
    for label, answer in pages.items():
        page = pages_detail.sync(client=ukiyo, page_id=answer["id"])
        assert type(page) is classes[label]
        assert page.type_ == page.meta.type_ == label
    found = pages_find.sync(client=ukiyo, html_path="/ja/articles/moon-landing/")
    assert isinstance(found, models.ArticlePageSchema)
    assert [author.name for author in found.authors] == ["山田花子"]


# -- datamodel-code-generator --------------------------------------------------------------


def test_datamodel_code_generator_reads_each_page_into_its_class(document, pages, tmp_path):
    from datamodel_code_generator import DataModelType, InputFileType, generate
    from datamodel_code_generator.format import Formatter

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = generate(
            document.read_text(),
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            formatters=[Formatter.BUILTIN],
        )
    (tmp_path / "ukiyo_models.py").write_text(code, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        generated = importlib.import_module("ukiyo_models")
        for label, answer in pages.items():
            page = generated.Page.model_validate(answer).root
            assert type(page).__name__ == f"{label.split('.')[1]}Schema"
            assert page.type == label
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("ukiyo_models", None)
