"""The reader's search page: what it finds and never finds, how it ranks, marks, filters and
answers odd input; the search box and OpenSearch description of every page."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models.expressions import RawSQL
from django.utils import timezone
from wagtail.models import PageViewRestriction

from core.models import SearchDocument
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, CategoryFactory, paragraph, section
from tests.search.corpus import build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_search_rate_limit")]


def article(parent, title, text="", **fields):
    return ArticlePageFactory(
        parent=parent,
        title=title,
        summary=fields.pop("summary", "A short summary."),
        body=[section("Report", [paragraph(text)])],
        **fields,
    )


def get(client, path, **query):
    response = client.get(path, query)
    return response, response.content.decode()


def results(html):
    """The titles of the results, in order, without their marks."""
    return [
        re.sub(r"<[^>]+>", "", unescape(title)).strip()
        for title in re.findall(r'class="search-result__title"><a [^>]*>(.*?)</a>', html)
    ]


def titles(client, query, language="ja", **filters):
    response, html = get(client, f"/{language}/search/", q=query, **filters)
    assert response.status_code == 200
    return results(html)


# -- what is found, and what never is ---------------------------------------------------


def test_a_draft_is_never_found_and_an_edit_is_found_once_published(client, index):
    page = article(index, "Harbour report", "The ferry left on time.")
    assert titles(client, "ferry") == ["Harbour report"]

    page.body = [section("Report", [paragraph("The zeppelin left on time.")])]
    page.save_revision()  # a draft: readers still read the ferry
    assert titles(client, "zeppelin") == []
    assert titles(client, "ferry") == ["Harbour report"]

    page.get_latest_revision().publish()
    assert titles(client, "zeppelin") == ["Harbour report"]
    # The word taken out is gone.
    assert titles(client, "ferry") == []


def test_unpublished_never_published_private_and_expired_pages_are_never_found(client, index):
    live = article(index, "Glacier live", "glacier")
    article(index, "Glacier draft", "glacier", live=False)
    unpublished = article(index, "Glacier unpublished", "glacier")
    unpublished.unpublish()
    private = article(index, "Glacier private", "glacier")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    expiring = article(index, "Glacier expiring", "glacier")
    expiring.expire_at = timezone.now() - timedelta(minutes=1)
    expiring.save()
    call_command("publish_scheduled")

    assert titles(client, "glacier") == [live.title]


def test_results_come_from_the_readers_language_only(client, home, index, locales):
    translate_page(home, locales["en"], title="Home")
    en_index = translate_page(index, locales["en"], title="All Articles")
    article(en_index, "Volcano erupts", "volcano")
    article(index, "火山が噴火", "volcano の観測")
    assert titles(client, "volcano", language="en") == ["Volcano erupts"]
    assert titles(client, "volcano", language="ja") == ["火山が噴火"]


def test_the_title_weighs_more_and_ties_go_to_the_newest(client, index):
    now = timezone.now()
    article(index, "Old note", "A comet passed.", display_date=now - timedelta(days=3))
    article(index, "New note", "A comet passed.", display_date=now - timedelta(days=1))
    article(index, "Comet seen", "Astronomers watched.", display_date=now - timedelta(days=9))
    assert titles(client, "comet", language="ja") == ["Comet seen", "New note", "Old note"]
    assert titles(client, "comet", sort="date") == ["New note", "Old note", "Comet seen"]


def test_a_word_of_the_opening_outranks_the_same_word_deep_in_an_article(client, index):
    """Ranked by the title and the opening of the text (its summary, its first words): a
    comet of the summary comes before a newer article's comet of its twentieth sentence."""
    now = timezone.now()
    filler = " ".join(f"Sentence {number} says nothing new." for number in range(20))
    article(
        index,
        "Observatory diary",
        filler + " A comet passed.",
        display_date=now - timedelta(days=1),
    )
    article(
        index,
        "Night sky",
        filler,
        summary="A comet passed over the bay.",
        display_date=now - timedelta(days=5),
    )
    assert titles(client, "comet") == ["Night sky", "Observatory diary"]
    assert titles(client, "comet", sort="date") == ["Observatory diary", "Night sky"]


def test_a_long_articles_ranking_words_stay_in_its_row(index):
    """Each match's ``head`` is read to rank it (PostgreSQL): a 3,000-word article's is small
    enough to stay in the table's row as it is, neither compressed nor out of line."""
    page = article(index, "Long read", " ".join(f"word{number}" for number in range(3000)))
    head = (
        SearchDocument.objects.filter(page=page)
        .annotate(
            size=RawSQL("pg_column_size(head)", ()),
            compression=RawSQL("pg_column_compression(head)", ()),
        )
        .values("size", "compression")
        .get()
    )
    assert head == {"size": head["size"], "compression": None}
    assert head["size"] < 1000


# -- marks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "query", "marked"),
    [
        ("ja", "着陸", "<mark>着陸</mark>"),
        ("zh-hans", "降落", "<mark>降落在</mark>"),
        ("th", "นักวิจัย", "<mark>นักวิจัย</mark>"),
        ("hi", "वैज्ञानिक", "<mark>वैज्ञानिक</mark>"),
        ("ko", "연구진", "<mark>연구진은</mark>"),
        ("en", "photograph", "<mark>photographed</mark>"),
    ],
)
def test_the_words_found_are_marked_in_every_script(
    client, home, index, locales, language, query, marked
):
    language_index = index
    if language != "ja":
        translate_page(home, locales[language], title="Home")
        language_index = translate_page(index, locales[language], title="Articles")
    pages = build({language: language_index}, languages=[language])
    _response, html = get(client, f"/{language}/search/", q=query)
    extract = html.split('class="search-result__extract">')[1].split("</p>")[0]
    assert marked in extract
    # The rest of the extract is a part of the article's text, without other tags.
    text = " ".join(SearchDocument.objects.get(page=pages[language, "moon"]).text.split())
    assert unescape(re.sub(r"</?mark>", "", extract)).strip("…") in text


def test_an_extract_is_escaped(client, index):
    article(index, "Markup", "text", summary='<b onclick="x()">Fish & chips</b> at the harbour')
    _response, html = get(client, "/ja/search/", q="harbour")
    extract = html.split('class="search-result__extract">')[1].split("</p>")[0]
    assert "<b" not in extract
    assert "&lt;b onclick=&quot;x()&quot;&gt;Fish &amp; chips&lt;/b&gt;" in extract
    assert "<mark>harbour</mark>" in extract


# -- filters, counts, nothing found -----------------------------------------------------


def test_category_period_and_their_refusal(client, index, locales):
    space = CategoryFactory(name="宇宙", slug="space", locale=locales["ja"])
    CategoryFactory(name="経済", slug="economy", locale=locales["ja"])
    now = timezone.now()
    article(index, "Orbit today", "orbit", category=space, display_date=now)
    article(index, "Orbit long ago", "orbit", display_date=now - timedelta(days=800))
    assert titles(client, "orbit", category="space") == ["Orbit today"]
    assert titles(client, "orbit", category="economy") == []
    assert titles(client, "orbit", period="year") == ["Orbit today"]
    assert set(titles(client, "orbit")) == {"Orbit today", "Orbit long ago"}

    response, html = get(client, "/ja/search/", q="orbit", category="nope")
    assert response.status_code == 400
    assert 'role="alert"' in html
    for name, value in (("period", "century"), ("sort", "random"), ("period", "\x00")):
        response, _html = get(client, "/ja/search/", q="orbit", **{name: value})
        assert response.status_code == 400, (name, value)


def test_the_number_of_results_and_the_page_when_nothing_is_found(client, index):
    for number in range(3):
        article(index, f"Tide {number}", "tide")
    response, html = get(client, "/ja/search/", q="tide")
    assert "「tide」の検索結果：3件" in html

    response, html = get(client, "/ja/search/", q="unfindable")
    assert response.status_code == 200
    assert "「unfindable」に一致する記事は見つかりませんでした" in html
    # The latest articles of the language, so that the reader can go on reading.
    assert 'id="search-latest-heading"' in html
    assert html.count('class="card__title"') == 3


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("", 200, "キーワードを入力して記事を検索してください"),
        ("   ", 200, "キーワードを入力して記事を検索してください"),
        (" ".join(f"word{number}" for number in range(2000)), 200, 'role="status"'),
        ("a" * 10_000, 200, 'role="status"'),
        ("moon\x00", 400, 'role="alert"'),
        ('"; DROP TABLE wagtailcore_page; --', 200, "に一致する記事は見つかりませんでした"),
        ("*", 200, "に一致する記事は見つかりませんでした"),
        ("moon:*", 200, "に一致する記事は見つかりませんでした"),
        ("' & | ! <-> ( )", 200, "に一致する記事は見つかりませんでした"),
        ("NEAR(a b) OR title:x", 200, "に一致する記事は見つかりませんでした"),
    ],
)
def test_odd_queries_get_a_clear_page(client, index, query, status, says):
    response, html = get(client, "/ja/search/", q=query)
    assert response.status_code == status
    assert says in html


def test_the_query_budget_does_not_grow_with_the_results(
    client, index, django_assert_max_num_queries
):
    for number in range(14):
        article(index, f"Storm {number}", "storm " * 50)
    client.get("/ja/search/", {"q": "storm"})  # the site and chrome, read once
    cache.clear()
    with django_assert_max_num_queries(12):
        response = client.get("/ja/search/", {"q": "storm"})
    assert results(response.content.decode()) and response.status_code == 200


# -- the search box, suggestions, OpenSearch --------------------------------------------


def test_every_page_has_the_search_box_and_an_opensearch_link(client, home, index):
    page = article(index, "Anything", "text")
    for path in ("/ja/", page.url, "/ja/search/"):
        html = client.get(path).content.decode()
        assert re.search(r'<form class="site-search" action="/ja/search/"[^>]*role="search"', html)
        assert 'name="q"' in html
        assert (
            '<link rel="search" type="application/opensearchdescription+xml" '
            'title="ukiyo" href="/ja/opensearch.xml">' in html
        )


def test_the_opensearch_description_of_each_language(client, home, index, locales):
    translate_page(home, locales["en"], title="Home")
    for language in ("ja", "en"):
        response = client.get(f"/{language}/opensearch.xml")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/opensearchdescription+xml"
        xml = response.content.decode()
        assert f"<Language>{language}</Language>" in xml
        assert f'template="http://testserver/{language}/search/?q={{searchTerms}}"' in xml
        assert (
            f'type="application/x-suggestions+json" method="get" '
            f'template="http://testserver/{language}/search/suggest/?q={{searchTerms}}"' in xml
        )


def test_suggestions_as_the_reader_types(client, home, index, locales):
    translate_page(home, locales["en"], title="Home")
    en_index = translate_page(index, locales["en"], title="All Articles")
    moon = article(en_index, "Moon landing succeeds", "text")
    article(en_index, "Harbour report", "moon in the text only")
    article(index, "月面着陸に成功", "本文")

    response = client.get("/en/search/suggest/", {"q": "moon lan"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-suggestions+json"
    assert response.json() == ["moon lan", [moon.title], [], [moon.full_url]]
    assert client.get("/ja/search/suggest/", {"q": "月面着"}).json()[1] == ["月面着陸に成功"]
    assert client.get("/ja/search/suggest/", {"q": "Moon"}).json()[1] == []
    assert client.get("/en/search/suggest/", {"q": ""}).json() == ["", [], [], []]
    assert client.get("/en/search/suggest/", {"q": "a\x00"}).status_code == 400
    assert client.get("/en/search/suggest/", {"q": "x" * 5000}).status_code == 400


def test_a_query_without_a_word_sorted_by_date_finds_nothing_calmly(client, index):
    article(index, "Anything", "text")
    for query in ("!!!", "🚀", "・・", "-"):
        response, html = get(client, "/ja/search/", q=query, sort="date")
        assert response.status_code == 200, query
        assert "に一致する記事は見つかりませんでした" in html


def test_the_search_forms_empty_choices_are_kept_like_no_choice(client, index, settings):
    article(index, "Harbour report", "ferry")
    first = client.get("/ja/search/", {"q": "ferry", "period": "", "category": "", "sort": ""})
    again = client.get("/ja/search/", {"q": "ferry", "period": "", "category": ""})
    assert first.status_code == again.status_code == 200
    assert again["X-Page-Cache"] == "hit"
    assert "Harbour report" in again.content.decode().replace("<mark>", "").replace("</mark>", "")
    # A period is never kept: what "the past day" holds changes with the clock.
    narrowed = client.get("/ja/search/", {"q": "ferry", "period": "day"})
    assert narrowed["X-Page-Cache"] == "bypass"


@pytest.mark.parametrize(
    "typed", ["moon lan", "moon landi", "moon landin", "moon landing", "Moon Landing succ"]
)
def test_titles_are_suggested_at_every_letter(client, home, index, locales, typed):
    translate_page(home, locales["en"], title="Home")
    en_index = translate_page(index, locales["en"], title="All Articles")
    article(en_index, "Moon landing succeeds", "text")
    assert client.get("/en/search/suggest/", {"q": typed}).json()[1] == ["Moon landing succeeds"]
