"""Editors manage categories and authors in the admin, per language."""

from news.models import Category
from tests.factories import AuthorFactory, CategoryFactory


def test_categories_and_authors_are_listed_in_the_admin(editor, locales):
    CategoryFactory(name="宇宙", slug="space", locale=locales["ja"])
    AuthorFactory(name="田中 葵", slug="aoi-tanaka", locale=locales["ja"])
    categories = editor.get("/admin/snippets/news/category/")
    authors = editor.get("/admin/snippets/news/author/")
    assert categories.status_code == 200 and "宇宙" in categories.content.decode()
    assert authors.status_code == 200 and "田中 葵" in authors.content.decode()


def test_an_editor_creates_a_category(editor, locales):
    response = editor.post(
        "/admin/snippets/news/category/add/?locale=ja",
        {"name": "科学", "slug": "science", "description": "研究と発見"},
    )
    assert response.status_code == 302
    category = Category.objects.get(slug="science")
    assert category.name == "科学" and category.locale == locales["ja"]


def test_a_duplicate_category_slug_in_one_language_is_refused_clearly(editor, locales):
    CategoryFactory(name="宇宙", slug="space", locale=locales["ja"])
    response = editor.post(
        "/admin/snippets/news/category/add/?locale=ja",
        {"name": "宇宙 2", "slug": "space", "description": ""},
    )
    assert response.status_code == 200
    assert Category.objects.filter(slug="space").count() == 1
    html = response.content.decode()
    assert "This slug is already used in this language." in html
    assert "宇宙 2" in html  # what the editor typed is still there
