"""An article's category, authors, date and lead image through v3 writes.

An integration that creates or updates articles (a wire feed importer, a migration from
another CMS) sends them under the keys it reads them at: a category and authors by id or
slug (or sent back as read), the date readers see with its offset from UTC, the lead image
by id. Each mistake is a 422 naming its key, in one answer, and nothing is saved.
"""

import datetime
import json

import pytest
from django.core.cache import cache

from news.models import ArticleAuthor, ArticlePage
from tests.conftest import translate_page
from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    full_article,
    paragraph,
    reference,
    section,
)

PROBLEM = "application/problem+json"
TYPE = {"type": "news.ArticlePage"}
JST = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def newsroom(index, locales):
    """Categories and authors in Japanese, some of them translated into English."""
    ja, en = locales["ja"], locales["en"]
    space = CategoryFactory(name="宇宙", slug="space", locale=ja)
    science = CategoryFactory(name="科学", slug="science", locale=ja)
    hanako = AuthorFactory(name="山田花子", slug="hanako", locale=ja)
    taro = AuthorFactory(name="佐藤太郎", slug="taro", locale=ja)
    kenji = AuthorFactory(name="森健二", slug="kenji", locale=ja)
    space_en = space.copy_for_translation(en)
    space_en.name = "Space"
    space_en.save()
    hanako_en = hanako.copy_for_translation(en)
    hanako_en.name = "Hanako Yamada"
    hanako_en.save()
    return {
        "space": space,
        "science": science,
        "hanako": hanako,
        "taro": taro,
        "kenji": kenji,
        "space en": space_en,
        "hanako en": hanako_en,
    }


@pytest.fixture
def article(index, newsroom):
    page = full_article(
        index, title="月面着陸", slug="moon-landing", category=newsroom["space"], author=None
    )
    for order, name in enumerate(("hanako", "taro")):
        ArticleAuthor.objects.create(
            page=page, author=newsroom[name], sort_order=order, locale=page.locale
        )
    page.save_revision().publish()
    return ArticlePage.objects.get(pk=page.pk)


def url(page):
    return f"/api/v3/pages/{page.pk}/"


def patch(client, page, auth, data, action="publish"):
    tag = client.get(url(page), {"version": "draft"}, **auth)["ETag"]
    meta = {**TYPE, "action": action} if action else TYPE
    return client.patch(
        url(page),
        json.dumps({"meta": meta, **data}),
        content_type="application/json",
        HTTP_IF_MATCH=tag,
        **auth,
    )


def saved(page):
    return ArticlePage.objects.get(pk=page.pk)


def author_slugs(page):
    return [row.author.slug for row in saved(page).article_authors.order_by("sort_order")]


def errors(response):
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    return {tuple(error["loc"]): error["msg"] for error in response.json()["errors"]}


# ---------------------------------------------------------------------------
# Category
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    ["science", "by id", {"id": "by id"}, {"slug": "science"}, "as read"],
    ids=["slug", "id", "object with id", "object with slug", "as read"],
)
def test_the_category_is_set_by_id_or_slug(client, auth, article, newsroom, sent):
    science = newsroom["science"]
    if sent == "by id":
        sent = science.pk
    elif sent == {"id": "by id"}:
        sent = {"id": science.pk}
    elif sent == "as read":
        sent = {"id": science.pk, "name": "科学", "slug": "science"}

    response = patch(client, article, auth, {"category": sent})

    assert response.status_code == 200, response.content
    assert saved(article).category_id == science.pk
    assert response.json()["category"] == {"id": science.pk, "name": "科学", "slug": "science"}
    assert client.get(url(article)).json()["category"]["slug"] == "science"


def test_null_removes_the_category(client, auth, article):
    response = patch(client, article, auth, {"category": None})

    assert response.status_code == 200, response.content
    assert saved(article).category_id is None
    assert response.json()["category"] is None


def test_a_category_not_sent_stays(client, auth, article, newsroom):
    response = patch(client, article, auth, {"summary": "Only this changes."})

    assert response.status_code == 200, response.content
    assert saved(article).category_id == newsroom["space"].pk
    assert author_slugs(article) == ["hanako", "taro"]


def test_a_translated_article_takes_its_language_s_version(client, auth, article, newsroom):
    """Any language's id of a category names it: the article links its own language's."""
    english = translate_page(article, newsroom["space en"].locale, title="Moon landing")

    response = patch(client, english, auth, {"category": newsroom["space"].pk})

    assert response.status_code == 200, response.content
    assert saved(english).category_id == newsroom["space en"].pk
    assert response.json()["category"]["name"] == "Space"


def test_a_category_without_a_version_in_the_article_s_language_is_refused(
    client, auth, article, newsroom
):
    english = translate_page(article, newsroom["space en"].locale, title="Moon landing")
    before = saved(english).category_id

    by_id = patch(client, english, auth, {"category": newsroom["science"].pk})
    by_slug = patch(client, english, auth, {"category": "science"})

    assert errors(by_id) == {
        ("category",): f"Category {newsroom['science'].pk} (science) has no version in "
        "English, the article's language: translate it first."
    }
    assert errors(by_slug) == {("category",): "No category with slug 'science' in English."}
    assert saved(english).category_id == before


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (999_999, "No category with id 999999."),
        (2**70, "No category with id a number too large."),
        (0, "No category with id 0."),
        (-3, "No category with id -3."),
        ("moon", "No category with slug 'moon' in Japanese."),
        ("sp\x00ace", "Not a category's slug: 'sp\\x00ace'."),
        ("  ", "Not a category's slug: '  '."),
        (True, "Expected a category's id or slug, got a boolean."),
        (1.5, "Expected a category's id or slug, got a number."),
        ([1], "Expected a category's id or slug, got a list."),
        ({"name": "宇宙"}, "Expected a category by id or slug, got an object with neither."),
    ],
)
def test_a_category_that_names_none_is_a_422_naming_it(
    client, auth, article, newsroom, sent, message
):
    response = patch(client, article, auth, {"category": sent, "summary": "Not saved."})

    assert errors(response) == {("category",): message}
    assert saved(article).category_id == newsroom["space"].pk
    assert saved(article).summary != "Not saved."


# ---------------------------------------------------------------------------
# Authors
# ---------------------------------------------------------------------------


def test_the_authors_are_replaced_in_the_order_sent(client, auth, article, newsroom):
    kept = ArticleAuthor.objects.get(page=article, author=newsroom["taro"]).pk

    response = patch(client, article, auth, {"authors": ["kenji", {"id": newsroom["taro"].pk}]})

    assert response.status_code == 200, response.content
    assert author_slugs(article) == ["kenji", "taro"]
    assert [author["slug"] for author in response.json()["authors"]] == ["kenji", "taro"]
    # An author kept keeps their row: what a translation of the article follows.
    assert ArticleAuthor.objects.get(page=article, author=newsroom["taro"]).pk == kept
    assert not ArticleAuthor.objects.filter(page=article, author=newsroom["hanako"]).exists()


def test_the_authors_may_be_sent_back_as_read(client, auth, article):
    authors = client.get(url(article)).json()["authors"]

    response = patch(client, article, auth, {"authors": list(reversed(authors))})

    assert response.status_code == 200, response.content
    assert author_slugs(article) == ["taro", "hanako"]


def test_an_empty_list_removes_every_author(client, auth, article):
    response = patch(client, article, auth, {"authors": []})

    assert response.status_code == 200, response.content
    assert author_slugs(article) == []
    assert response.json()["authors"] == []


def test_a_translated_article_links_its_language_s_authors(client, auth, article, newsroom):
    english = translate_page(article, newsroom["hanako en"].locale, title="Moon landing")

    ok = patch(client, english, auth, {"authors": [newsroom["hanako"].pk]})
    refused = patch(client, english, auth, {"authors": ["hanako", "taro"]})

    assert ok.status_code == 200, ok.content
    assert [row.author_id for row in saved(english).article_authors.all()] == [
        newsroom["hanako en"].pk
    ]
    assert errors(refused) == {("authors", 1): "No author with slug 'taro' in English."}


def test_every_author_that_names_none_is_named_in_one_answer(client, auth, article, newsroom):
    response = patch(
        client,
        article,
        auth,
        {
            "authors": [
                "hanako",
                "nobody",
                {"slug": "hanako"},
                True,
                newsroom["kenji"].pk,
                "\x00",
                999_999,
            ]
        },
    )

    assert errors(response) == {
        ("authors", 1): "No author with slug 'nobody' in Japanese.",
        ("authors", 2): f"Author {newsroom['hanako'].pk} (hanako) is already in the list, at 0.",
        ("authors", 3): "Expected an author's id or slug, got a boolean.",
        ("authors", 5): "Not an author's slug: '\\x00'.",
        ("authors", 6): "No author with id 999999.",
    }
    assert author_slugs(article) == ["hanako", "taro"]


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (None, "Expected a list of authors (ids or slugs; [] for none), got null."),
        ("hanako", "Expected a list of authors (ids or slugs; [] for none), got a string."),
        (["taro"] * 101, "An article has at most 100 authors; got 101."),
    ],
)
def test_authors_that_are_not_a_list_of_authors_are_refused(client, auth, article, sent, message):
    assert errors(patch(client, article, auth, {"authors": sent})) == {("authors",): message}
    assert author_slugs(article) == ["hanako", "taro"]


# ---------------------------------------------------------------------------
# The date readers see
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent", ["2025-06-22T14:15:00+09:00", "2025-06-22T05:15:00Z", "2025-06-22T05:15:00.000+00:00"]
)
def test_the_display_date_is_set_with_its_offset(client, auth, article, sent):
    response = patch(client, article, auth, {"display_date": sent})

    assert response.status_code == 200, response.content
    moment = datetime.datetime(2025, 6, 22, 14, 15, tzinfo=JST)
    assert saved(article).display_date == moment
    assert response.json()["display_date"] == "2025-06-22T05:15:00Z"
    assert response.json()["meta"]["live"] is True


def test_a_future_display_date_holds_the_article_back_until_then(client, auth, index, newsroom):
    page = full_article(index, title="予定", slug="scheduled", live=False)
    page.save_revision()
    later = (datetime.datetime.now(tz=JST) + datetime.timedelta(days=2)).replace(microsecond=0)

    response = patch(client, page, auth, {"display_date": later.isoformat()})

    assert response.status_code == 200, response.content
    assert response.json()["meta"]["live"] is False
    assert response.json()["meta"]["scheduled_at"] is not None
    assert not saved(page).live


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (
            "2025-06-22T14:15:00",
            "'2025-06-22T14:15:00' has no offset from UTC: add it (2025-06-22T14:15:00+09:00, "
            "or Z for UTC).",
        ),
        (
            "2025-02-30T10:00:00Z",
            "Not a date-time: '2025-02-30T10:00:00Z'. Expected a date-time with its offset from "
            "UTC, such as 2025-06-22T14:15:00+09:00.",
        ),
        (
            "next tuesday\x00",
            "Not a date-time: 'next tuesday\\x00'. Expected a date-time with its offset from "
            "UTC, such as 2025-06-22T14:15:00+09:00.",
        ),
        ("0001-01-01T00:00:00+09:00", "'0001-01-01T00:00:00+09:00' is out of range."),
        (
            1750569300,
            "Expected a date-time with its offset from UTC, such as 2025-06-22T14:15:00+09:00; "
            "got a number.",
        ),
        (
            None,
            "Expected a date-time with its offset from UTC, such as 2025-06-22T14:15:00+09:00; "
            "got null.",
        ),
    ],
)
def test_a_display_date_that_is_not_a_moment_is_a_422_naming_it(
    client, auth, article, sent, message
):
    before = saved(article).display_date

    assert errors(patch(client, article, auth, {"display_date": sent})) == {
        ("display_date",): message
    }
    assert saved(article).display_date == before


# ---------------------------------------------------------------------------
# Lead image
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["lead_image_id", "lead_image"])
def test_the_lead_image_is_set_by_id(client, auth, article, key):
    image = ImageFactory(title="Lander")

    response = patch(client, article, auth, {key: image.pk})

    assert response.status_code == 200, response.content
    assert saved(article).lead_image_id == image.pk
    assert response.json()["lead_image"]["id"] == image.pk


def test_the_lead_image_may_be_sent_back_as_read_or_removed(client, auth, article):
    image = ImageFactory(title="Lander")
    patch(client, article, auth, {"lead_image_id": image.pk})
    as_read = client.get(url(article)).json()["lead_image"]

    again = patch(client, article, auth, {"lead_image": as_read, "summary": "Same image."})
    removed = patch(client, article, auth, {"lead_image": None})

    assert again.status_code == 200, again.content
    assert removed.status_code == 200, removed.content
    assert saved(article).lead_image_id is None


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"lead_image_id": True}, ("lead_image_id", "Expected the id of a image, got a boolean.")),
        ({"lead_image_id": "8"}, ("lead_image_id", "Expected the id of a image, got a string.")),
        ({"lead_image": 999_999}, ("lead_image", "No image with id 999999.")),
        ({"lead_image": {"id": 2**70}}, ("lead_image", f"No image with id {2**70}.")),
    ],
)
def test_a_lead_image_that_names_none_is_a_422_naming_the_key_sent(
    client, auth, article, sent, message
):
    key, msg = message
    assert errors(patch(client, article, auth, sent)) == {(key,): msg}


# ---------------------------------------------------------------------------
# Creating an article with them, and everything wrong at once
# ---------------------------------------------------------------------------


def test_a_new_article_takes_them_all(client, auth, index, newsroom):
    image = ImageFactory(title="Lander")
    data = {
        "meta": {**TYPE, "parent_id": index.pk, "action": "publish"},
        "title": "H3ロケット再挑戦",
        "slug": "h3-comeback",
        "summary": "二号機が軌道に到達した。",
        "category": "space",
        "authors": ["kenji", newsroom["hanako"].pk],
        "display_date": "2025-06-22T14:15:00+09:00",
        "lead_image": image.pk,
        "body": [section("打ち上げ", [paragraph("到達した。", sources=[1])])],
        "references": [reference(1, "jaxa.jp")],
    }

    response = client.post(
        "/api/v3/pages/", json.dumps(data), content_type="application/json", **auth
    )

    assert response.status_code == 201, response.content
    page = ArticlePage.objects.get(pk=response.json()["id"])
    assert page.live
    assert page.category_id == newsroom["space"].pk
    assert author_slugs(page) == ["kenji", "hanako"]
    assert all(row.locale_id == page.locale_id for row in page.article_authors.all())
    assert page.display_date == datetime.datetime(2025, 6, 22, 14, 15, tzinfo=JST)
    assert page.lead_image_id == image.pk
    answer = response.json()
    assert answer["category"]["slug"] == "space"
    assert [author["slug"] for author in answer["authors"]] == ["kenji", "hanako"]
    assert answer == client.get(url(page)).json() | {"meta": answer["meta"]}


def test_a_new_article_without_them_has_none(client, auth, index):
    data = {
        "meta": {**TYPE, "parent_id": index.pk},
        "title": "下書き",
        "summary": "まだ。",
    }

    response = client.post(
        "/api/v3/pages/", json.dumps(data), content_type="application/json", **auth
    )

    assert response.status_code == 201, response.content
    page = ArticlePage.objects.get(pk=response.json()["id"])
    assert page.category_id is None
    assert list(page.article_authors.all()) == []
    assert page.display_date is not None


def test_every_mistake_is_named_in_one_answer(client, auth, index):
    count = ArticlePage.objects.count()
    data = {
        "meta": {**TYPE, "parent_id": index.pk},
        "title": "誤り",
        "summary": "S.",
        "category": "nowhere",
        "authors": ["nobody"],
        "display_date": "yesterday",
        "lead_image": 999_999,
    }

    response = client.post(
        "/api/v3/pages/", json.dumps(data), content_type="application/json", **auth
    )

    assert set(errors(response)) == {
        ("category",),
        ("authors", 0),
        ("display_date",),
        ("lead_image",),
    }
    assert ArticlePage.objects.count() == count
