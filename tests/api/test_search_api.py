"""Search in the APIs: ``q=`` of the v3 article cards, the titles suggested as a reader
types, and ``?search=`` of v2 and v3 pages, all with the reader site's search."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, paragraph, section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_search_rate_limit")]

V3 = "/api/v3/articles/"
AUTOCOMPLETE = "/api/v3/articles/autocomplete/"
PROBLEM = "application/problem+json"


def article(parent, title, text, days_ago=0):
    return ArticlePageFactory(
        parent=parent,
        title=title,
        summary="A short summary.",
        display_date=timezone.now() - timezone.timedelta(days=days_ago),
        body=[section("Report", [paragraph(text)])],
    )


@pytest.fixture
def articles(home, index, locales):
    translate_page(home, locales["en"], title="Home")
    en_index = translate_page(index, locales["en"], title="All Articles")
    return {
        "landing": article(index, "月面着陸に成功", "探査機が月面の目標地点に降り立った。"),
        "rock": article(index, "月の岩石を分析", "持ち帰った試料から着陸地点の歴史を探る。", 2),
        "rice": article(index, "猛暑で米が不作", "稲作への影響が続く。", 1),
        "en": article(en_index, "Moon landing succeeds", "The lander touched down.", 1),
    }


def titles(response):
    return [card["title"] for card in response.json()["items"]]


def test_cards_searched_in_their_own_language_most_relevant_first(client, articles):
    response = client.get(V3, {"q": "着陸", "locale": "ja"})
    assert response.status_code == 200
    # The title's word weighs more than the text's.
    assert titles(response) == ["月面着陸に成功", "月の岩石を分析"]
    assert response.json()["count"] == 2
    first, second = response.json()["items"]
    # The extract is of the text: its beginning when only the title has the word.
    assert first["search_extract"] == "A short summary. Report 探査機が月面の目標地点に降り立った。"
    assert "<mark>着陸</mark>地点" in second["search_extract"]
    # By date when asked.
    response = client.get(V3, {"q": "着陸", "locale": "ja", "order": "-display_date"})
    assert titles(response) == ["月面着陸に成功", "月の岩石を分析"]
    response = client.get(V3, {"q": "着陸", "locale": "ja", "order": "display_date"})
    assert titles(response) == ["月の岩石を分析", "月面着陸に成功"]
    # Without q, no extract.
    assert client.get(V3, {"locale": "ja"}).json()["items"][0]["search_extract"] is None


def test_cards_search_with_the_other_filters_and_languages(client, articles):
    assert titles(client.get(V3, {"q": "landed", "locale": "en"})) == ["Moon landing succeeds"]
    assert titles(client.get(V3, {"q": "landed", "locale": "ja"})) == []
    # Every language, each card matched in its own.
    assert titles(client.get(V3, {"q": "landing"})) == ["Moon landing succeeds"]
    # With a fallback, the cards shown are searched.
    response = client.get(V3, {"q": "稲作", "locale": "en", "fallback": "ja"})
    assert titles(response) == ["猛暑で米が不作"]
    assert response.json()["items"][0]["fallback"] is True
    response = client.get(V3, {"q": "着陸", "locale": "ja", "limit": 1, "offset": 1})
    assert titles(response) == ["月の岩石を分析"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": " ".join(["word"] * 100)}, "q"),
        ({"q": "x" * 1000}, "q"),
        ({"q": "a\x00"}, "q"),
        ({"order": "relevance"}, "order"),
        ({"q": "moon", "order": "random"}, "order"),
    ],
)
def test_cards_search_refuses_what_it_cannot_search(client, articles, query, names):
    response = client.get(V3, query)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert names in response.content.decode()


def test_cards_searches_count_in_the_rate_limit(client, articles, settings):
    settings.UKIYO_SEARCH_RATE_LIMIT = "2/60"
    cache.clear()
    for _ in range(2):
        assert client.get(V3, {"q": "moon"}).status_code == 200
    response = client.get(V3, {"q": "moon"})
    assert response.status_code == 429
    assert "Retry-After" in response
    # Listing without a search, and suggestions as one types, are not searches.
    assert client.get(V3, {"locale": "ja"}).status_code == 200
    assert client.get(AUTOCOMPLETE, {"q": "月面", "locale": "ja"}).status_code == 200


def test_titles_are_suggested_as_the_reader_types(client, articles):
    response = client.get(AUTOCOMPLETE, {"q": "月面着", "locale": "ja"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": articles["landing"].pk,
            "title": "月面着陸に成功",
            "html_url": articles["landing"].full_url,
            "api_v3_url": f"http://testserver/api/v3/pages/{articles['landing'].pk}/",
        }
    ]
    suggested = client.get(AUTOCOMPLETE, {"q": "moon lan", "locale": "en"}).json()
    assert [item["title"] for item in suggested] == ["Moon landing succeeds"]
    # Titles only: a word of the text alone suggests nothing.
    assert client.get(AUTOCOMPLETE, {"q": "探査", "locale": "ja"}).json() == []
    assert client.get(AUTOCOMPLETE, {"q": "月", "locale": "ja", "limit": 1}).json()[0]["title"]


@pytest.mark.parametrize(
    "query",
    [
        {"q": "moon"},
        {"locale": "ja"},
        {"q": "", "locale": "ja"},
        {"q": "moon", "locale": "xx"},
        {"q": "moon", "locale": "ja", "limit": 0},
        {"q": "moon", "locale": "ja", "limit": 2**63},
        {"q": "x" * 1000, "locale": "ja"},
        {"q": "moon", "locale": "ja", "other": "1"},
    ],
)
def test_suggestions_refuse_what_they_cannot_use(client, articles, query):
    response = client.get(AUTOCOMPLETE, query)
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == PROBLEM


def test_v2_and_v3_page_searches_use_the_same_index(client, articles):
    response = client.get("/api/v2/pages/", {"search": "稲作", "type": "news.ArticlePage"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["猛暑で米が不作"]
    response = client.get("/api/v2/pages/", {"search": "landed", "locale": "en"})
    assert [item["title"] for item in response.json()["items"]] == ["Moon landing succeeds"]
    response = client.get("/api/v3/pages/", {"search": "着陸"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == [
        "月面着陸に成功",
        "月の岩石を分析",
    ]


def test_v2_search_operator_is_read_in_any_case(client, articles):
    for operator in ("or", "OR", "Or"):
        response = client.get(
            "/api/v2/pages/", {"search": "landed nowhere", "search_operator": operator}
        )
        assert [item["title"] for item in response.json()["items"]] == ["Moon landing succeeds"]
    response = client.get("/api/v2/pages/", {"search": "landed nowhere", "search_operator": "AND"})
    assert response.json()["items"] == []
