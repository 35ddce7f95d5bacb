"""Every JSON answer of both APIs is compact UTF-8: letters as they are, no spaces
(api.rendering, api.v2.rendering)."""

import json

import pytest

from tests.factories import ArticlePageFactory, ImageFactory

TITLE = "月面着陸に成功、探査機は逆さまに"


@pytest.fixture
def article(index):
    page = ArticlePageFactory(parent=index, title=TITLE, slug="moon-landing")
    page.save_revision().publish()  # recorded in the change feed
    return page


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/pages/{id}/",
        "/api/v3/pages/?type=news.ArticlePage&locale=ja",
        "/api/v3/articles/?locale=ja",
        "/api/v3/articles/{id}/?locale=th&fallback=ja",
        "/api/v3/pages/find/?html_path=/ja/articles/moon-landing/",
        "/api/v3/changes/",
        "/api/v2/changes/",
        "/api/v2/pages/{id}/",
        "/api/v2/pages/?type=news.ArticlePage&locale=ja&fields=*",
    ],
)
def test_every_answer_is_compact_utf8(client, article, path):
    response = client.get(path.format(id=article.pk), follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert TITLE in text  # six bytes a character as \uXXXX escapes, three in UTF-8
    assert is_compact(text)


@pytest.mark.parametrize(
    "path", ["images/", "images/{image}/", "documents/", "categories/", "authors/"]
)
def test_v2s_other_endpoints_are_compact_too(client, category, path):
    # Wagtail indents every v2 answer by four spaces.
    image = ImageFactory()

    response = client.get("/api/v2/" + path.format(image=image.pk))

    assert response.status_code == 200
    assert response.json()["meta"]
    assert is_compact(response.content.decode())


def is_compact(text):
    return text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/pages/999999/",
        "/api/v3/pages/?limit=abc",
        "/api/v3/articles/?locale=xx",
        "/api/v2/pages/999999/",
        "/api/v2/changes/?limit=0",
        "/api/no-such-version/",
    ],
)
def test_every_problem_is_compact_too(client, db, path):
    response = client.get(path)

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    assert is_compact(response.content.decode())
