"""The article list: every article the user may see, with its columns, filters and order."""

import re

import pytest
from django.urls import reverse

from tests.branches import branch_editor

from .conftest import article, at

ARTICLES = reverse("articles:index")


def rows(response):
    """[(title, {column: text})] of the listing, in order."""
    html = response.content.decode()
    shown = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        if "data-listing-page-title" not in row:
            continue
        title = re.search(r'id="page_\d+_title"[^>]*>\s*(.*?)\s*</span>', row, re.S)
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        shown.append((title.group(1).strip() if title else None, cells, row))
    return shown


def titles(response):
    return [title for title, _cells, _row in rows(response)]


def test_the_menu_leads_to_the_article_list(editor, home):
    response = editor.get(reverse("wagtailadmin_home"))
    assert ARTICLES in response.content.decode()
    assert editor.get(ARTICLES).status_code == 200


def test_columns(editor, month):
    response = editor.get(ARTICLES, {"language": "ja"})
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Publication date",
        "Category",
        "Authors",
        "Language",
        "Status",
        "Translations",
    ):
        assert heading in html
    (published,) = [row for row in rows(response) if row[0] == "公開済みの記事"]
    text = " | ".join(published[1])
    assert "宇宙" in text  # category
    assert "山田 花子" in text  # author
    assert "日本語" in text  # the language, by its own name
    # Published in Japanese and English, of the site's nine languages.
    assert "2/9 live" in text
    markers = dict(re.findall(r'data-language="([\w-]+)" data-state="(\w+)"', published[2]))
    assert markers["ja"] == "live" and markers["en"] == "live" and markers["fr"] == "missing"
    assert 'title="English: Live"' in published[2]
    (scheduled,) = [row for row in rows(response) if row[0] == "予約された記事"]
    assert "0/9 live" in " ".join(scheduled[1])


def test_ordered_by_publication_date_newest_first(editor, month):
    order = titles(editor.get(ARTICLES, {"language": "ja"}))
    # late (31 March), draft (created for 1 March: the stored date), scheduled (15 March)...
    dates = {
        "月末の記事": 6,
        "予約された記事": 5,
        "公開済みの記事": 4,
        "下書きの記事": 3,
        "更新予定の記事": 1,
    }
    assert order == sorted(dates, key=dates.get, reverse=True)
    assert titles(editor.get(ARTICLES, {"language": "ja", "ordering": "display_date"})) == list(
        reversed(order)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"language": "en"}, {"A published article"}),
        ({"status": "scheduled"}, {"予約された記事", "更新予定の記事"}),
        ({"status": "draft"}, {"下書きの記事"}),
        ({"status": "published", "language": "ja"}, {"公開済みの記事", "月末の記事"}),
        ({"category": "space", "language": "ja"}, {"公開済みの記事"}),
        ({"author": "yamada"}, {"公開済みの記事", "A published article"}),
    ],
)
def test_filters(editor, month, query, expected):
    response = editor.get(ARTICLES, query)
    assert response.status_code == 200
    assert set(titles(response)) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"language": "xx"},
        {"status": "\x00"},
        {"category": "nope"},
        {"author": "<b>x</b>"},
        {"ordering": "body"},
        {"p": "99999"},
    ],
)
def test_bad_parameters_are_not_an_error(editor, month, query):
    response = editor.get(ARTICLES, query)
    assert response.status_code == 200
    assert "<b>x</b>" not in response.content.decode()


def test_an_editor_sees_only_what_the_page_explorer_shows_them(client, month, english_tree):
    _home, en_index = english_tree
    branch_editor(client, en_index)
    response = client.get(ARTICLES)
    assert response.status_code == 200
    assert titles(response) == ["A published article"]
    (row,) = rows(response)
    # Languages outside the editor's branch say nothing.
    markers = dict(re.findall(r'data-language="([\w-]+)" data-state="(\w+)"', row[2]))
    assert markers["en"] == "live"
    assert markers["ja"] == "restricted"
    # Counted over the languages the editor may know about.
    assert 'data-live="1" data-total="1"' in row[2]
    html = response.content.decode()
    assert "予約された記事" not in html and "公開済みの記事" not in html


def test_a_user_without_page_rights_is_refused(client, month):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(username="reader", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert ARTICLES not in client.get(reverse("wagtailadmin_home")).content.decode()
    response = client.get(ARTICLES)
    # Wagtail's refusal: back to the dashboard, with a permission message.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


def test_queries_do_not_grow_with_the_articles(editor, month, index, django_assert_max_num_queries):
    editor.get(ARTICLES)  # warm the caches (site root paths, content types)
    with django_assert_max_num_queries(QUERY_BUDGET) as few:
        editor.get(ARTICLES)
    for n in range(15):
        article(index, f"追加の記事 {n}", f"more-{n}", display_date=at(2 + n % 20))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = editor.get(ARTICLES)
    assert len(titles(response)) == 21


QUERY_BUDGET = 30  # 28 when written: the listing, its filters and build_rows


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"language": "en"},
        {"status": "published"},
        {"category": "space", "author": "yamada"},
        {"ordering": "display_date"},
    ],
)
def test_search_by_title_with_filters(editor, month, query):
    response = editor.get(ARTICLES, {"q": "published", **query})
    assert response.status_code == 200
    assert titles(response) == ["A published article"]


def test_queries_do_not_grow_for_an_editor_of_a_branch(
    client, month, english_tree, django_assert_max_num_queries
):
    _home, en_index = english_tree
    branch_editor(client, en_index)
    client.get(ARTICLES)
    with django_assert_max_num_queries(EDITOR_QUERY_BUDGET) as few:
        client.get(ARTICLES)
    for n in range(10):
        article(en_index, f"More news {n}", f"more-{n}", display_date=at(2 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ARTICLES)
    assert "More news 9" in response.content.decode()


EDITOR_QUERY_BUDGET = 37  # 35 when written: the page permissions too
