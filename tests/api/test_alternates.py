"""Every page payload names its published translations: language → id, HTML and API URLs."""

import pytest
from django.core.cache import cache

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def article(index, english_tree, locales):
    """Live in ja and en; a French draft that must not be named."""
    page = ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")
    translate_page(page, locales["en"], title="Moon landing")
    french = page.copy_for_translation(locales["fr"], copy_parents=True)
    french.title = "Alunissage"
    french.save_revision()  # a draft only
    return page


def expected(page, language):
    return {
        "id": page.pk,
        "html_url": f"http://testserver/{language}/articles/moon-landing/",
        "api_v2_url": f"http://testserver/api/v2/pages/{page.pk}/",
        "api_v3_url": f"http://testserver/api/v3/pages/{page.pk}/",
    }


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_a_page_names_its_live_translations_in_the_site_language_order(
    client, article, api, locales
):
    english = article.get_translation(locales["en"])

    data = client.get(f"/api/{api}/pages/{english.pk}/").json()

    assert list(data["alternates"]) == ["ja", "en"]
    assert data["alternates"] == {"ja": expected(article, "ja"), "en": expected(english, "en")}


def test_v2_listings_carry_the_alternates_of_every_item(client, article):
    data = client.get(
        "/api/v2/pages/", {"type": "news.ArticlePage", "locale": "en", "fields": "alternates"}
    ).json()

    [item] = data["items"]
    assert set(item["alternates"]) == {"ja", "en"}
    assert item["alternates"]["en"]["id"] == item["id"]


def test_the_alternates_are_typed_in_the_openapi_document(client, db):
    schemas = client.get("/api/v3/openapi.json").json()["components"]["schemas"]
    alternate = schemas["Alternate"]
    assert alternate["required"] == ["id", "html_url", "api_v2_url", "api_v3_url"]
    assert alternate["properties"]["id"]["type"] == "integer"
