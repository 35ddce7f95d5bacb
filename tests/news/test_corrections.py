"""The corrections log: dated corrections and clarifications of an article, shown at its end
and in its header, in its JSON-LD, the APIs and the feeds, translated with it, and listed
on each language's corrections page."""

import datetime
import json
import re

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from core import pagecache
from news.models import ArticleCorrection, ArticlePage
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db

WRONG = "当初、着陸地点を「約100メートル」と記載していましたが、正しくは約55メートルです。"


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def correct(article, text=WRONG, kind="correction", when=None):
    """Add a correction to the live article and publish it, as an editor does."""
    article = ArticlePage.objects.get(pk=article.pk)
    article.corrections.add(
        ArticleCorrection(
            kind=kind, published=when or ago(minutes=5), text=text, locale=article.locale
        )
    )
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


@pytest.fixture
def article(index):
    page = ArticlePageFactory(parent=index, title="月面着陸", slug="moon", display_date=ago(days=2))
    page.save_revision().publish()
    return ArticlePage.objects.get(pk=page.pk)


def test_readers_see_the_corrections_at_the_end_and_the_update_at_the_top(client, article):
    correct(
        article, "表現が分かりにくかった段落を補いました。", kind="clarification", when=ago(hours=3)
    )
    article = correct(article, when=ago(hours=1))

    html = client.get(article.url).content.decode()

    section = re.search(r'<section class="corrections".*?</section>', html, re.S).group(0)
    assert '<h2 id="corrections">訂正と補足</h2>' in section
    kinds = re.findall(r'class="corrections__kind[^"]*">([^<]+)<', section)
    assert kinds == ["訂正", "補足"]  # the latest first
    assert WRONG in section
    header = re.search(r'<p class="article__dates">.*?</p>', html, re.S).group(0)
    latest = article.published_corrections[0].published
    assert f'datetime="{timezone.localtime(latest).isoformat()}"' in header
    assert 'href="#corrections">訂正を見る</a>' in header
    assert html.index('class="corrections"') < html.index('class="references"')


def test_an_article_without_corrections_shows_none(client, article):
    html = client.get(article.url).content.decode()

    assert 'class="corrections"' not in html
    assert "article__date--updated" not in html


def test_json_ld_and_opengraph_name_the_corrections(client, article):
    article = correct(article)
    html = client.get(article.url).content.decode()

    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html).group(1))
    latest = article.published_corrections[0].published
    assert data["dateModified"] == latest.isoformat()
    assert data["correction"] == [
        {"@type": "CorrectionComment", "text": WRONG, "datePublished": latest.isoformat()}
    ]
    modified = re.search(r'<meta property="article:modified_time" content="([^"]+)">', html)
    assert datetime.datetime.fromisoformat(modified.group(1)) == latest


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_both_apis_give_the_corrections(client, article, api):
    article = correct(article)
    url = f"/api/v2/pages/{article.pk}/" if api == "v2" else f"/api/v3/pages/{article.pk}/"

    data = client.get(url).json()

    latest = article.published_corrections[0].published
    assert data["corrections"] == [
        {"kind": "correction", "published": latest.isoformat(), "text": WRONG}
    ]


def test_the_openapi_document_types_the_corrections(client, db):
    schemas = client.get("/api/v3/openapi.json").json()["components"]["schemas"]

    correction = schemas["CorrectionRef"]
    assert correction["properties"]["kind"]["enum"] == ["correction", "clarification"]
    assert correction["properties"]["published"]["format"] == "date-time"
    assert set(correction["required"]) == {"kind", "published", "text"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_feed_marks_a_corrected_article_updated(client, article):
    article = correct(article)

    parsed = feedparser.parse(client.get("/ja/feeds/articles.atom").content)

    entry = parsed.entries[0]
    updated = datetime.datetime(*entry.updated_parsed[:6], tzinfo=datetime.UTC)
    latest = article.published_corrections[0].published
    assert abs(updated - latest) < datetime.timedelta(seconds=1)


def test_a_correction_is_translated_with_its_article(client, article, english_tree, locales):
    article = correct(article)
    source, _created = TranslationSource.get_or_create_from_instance(article)
    paths = set(StringSegment.objects.filter(source=source).values_list("context__path", flat=True))
    correction = article.corrections.get()
    assert f"corrections.{correction.translation_key}.text" in paths

    translation = Translation.objects.create(source=source, target_locale=locales["en"])
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        english = (
            "It said about 100 metres; it was about 55."
            if segment.string.data == WRONG
            else f"EN {segment.string.data}"
        )
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=locales["en"],
            context=segment.context,
            data=english,
            translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
        )
    translation.save_target(publish=True)

    english = article.get_translation(locales["en"]).specific
    english.save_revision().publish()
    html = client.get(english.url).content.decode()
    assert "It said about 100 metres; it was about 55." in html
    assert re.findall(r'class="corrections__kind[^"]*">([^<]+)<', html) == ["Correction"]
    translated = english.specific.corrections.get()
    assert translated.kind == correction.kind
    # Synchronised through the revision's JSON, to the millisecond.
    assert abs(translated.published - correction.published) < datetime.timedelta(milliseconds=1)


def test_only_a_corrected_article_reads_its_corrections_in_one_query(client, article, index):
    def queries(page):
        pagecache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page.url).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    plain = ArticlePageFactory(parent=index, slug="plain")
    once = correct(ArticlePageFactory(parent=index, slug="once"), "訂正")
    thrice = ArticlePageFactory(parent=index, slug="thrice")
    for hours in (1, 2, 3):
        thrice = correct(thrice, text=f"訂正 {hours}", when=ago(hours=hours))
    queries(plain)  # first use of the content types

    assert not any("news_articlecorrection" in sql for sql in queries(plain))
    assert len(queries(once)) == len(queries(plain)) + 1
    assert len(queries(thrice)) == len(queries(once))


def test_the_page_row_keeps_the_latest_correction_date(article):
    assert article.last_corrected_at is None
    correct(article, when=ago(hours=5))
    article = correct(article, when=ago(hours=2))

    assert article.last_corrected_at == max(c.published for c in article.corrections.all())
    assert article.last_modified == article.last_corrected_at


# -- the corrections page -----------------------------------------------------------------------


def corrections_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html, re.findall(r'<h2 class="corrections-page__title"><a href="([^"]+)">', html)


def test_the_corrections_page_lists_its_languages_corrections_latest_first(
    client, article, index, english_tree, locales
):
    other = ArticlePageFactory(parent=index, slug="other")
    correct(other, "古い訂正", when=ago(days=1))
    correct(article, when=ago(hours=1))
    english = translate_page(ArticlePageFactory(parent=index, slug="en-only"), locales["en"])
    correct(english, "An English correction.")
    private = ArticlePageFactory(parent=index, slug="private")
    correct(private, "非公開の訂正")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    unpublished = correct(ArticlePageFactory(parent=index, slug="gone"), "取り下げた記事の訂正")
    unpublished.unpublish()

    html, links = corrections_page(client, "/ja/corrections/")

    assert links == [f"{article.url}#corrections", f"{other.url}#corrections"]
    assert "非公開の訂正" not in html and "取り下げた記事の訂正" not in html
    assert "An English correction." not in html
    assert "<h1>訂正と補足</h1>" in html
    _english_html, english_links = corrections_page(client, "/en/corrections/")
    assert english_links == [f"{english.url}#corrections"]


def test_the_corrections_page_is_paginated_and_says_when_there_is_none(
    client, article, monkeypatch
):
    from news import views

    assert "訂正した記事はまだありません。" in corrections_page(client, "/ja/corrections/")[0]

    monkeypatch.setattr(views, "PER_PAGE", 2)
    for hours in (1, 2, 3):
        correct(article, text=f"訂正 {hours}", when=ago(hours=hours))

    first = corrections_page(client, "/ja/corrections/")[0]
    second = corrections_page(client, "/ja/corrections/?page=2")[0]
    assert first.count("corrections-page__item") == 2
    assert second.count("corrections-page__item") == 1

    def items(html):
        return re.findall(r'<li class="corrections-page__item">.*?</li>', html, re.S)

    assert items(corrections_page(client, "/ja/corrections/?page=abc")[0]) == items(first)

    # Each page names itself as canonical; a number past the end names the last page.
    def canonical(html):
        return re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)

    assert canonical(first) == "http://testserver/ja/corrections/"
    assert canonical(second) == "http://testserver/ja/corrections/?page=2"
    past_the_end = corrections_page(client, "/ja/corrections/?page=9")[0]
    assert canonical(past_the_end) == "http://testserver/ja/corrections/?page=2"


def test_the_footer_links_the_corrections_page(client, article):
    html = client.get(article.url).content.decode()

    assert '<a href="/ja/corrections/">訂正</a>' in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_correction_reaches_the_cached_corrections_page(client, article):
    assert client.get("/ja/corrections/")["X-Page-Cache"] == "miss"
    assert client.get("/ja/corrections/")["X-Page-Cache"] == "hit"

    correct(article)

    _html, links = corrections_page(client, "/ja/corrections/")
    assert links == [f"{article.url}#corrections"]


@pytest.mark.parametrize("page", ["9223372036854775808", "%00", "-1", "1'\"", "1.5"])
def test_any_page_number_gives_a_page_of_corrections(client, article, page):
    correct(article)

    _html, links = corrections_page(client, f"/ja/corrections/?page={page}")

    assert links == [f"{article.url}#corrections"]


def test_the_corrections_page_refuses_writes(client, article):
    assert client.post("/ja/corrections/").status_code == 405
