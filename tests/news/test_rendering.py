"""What a reader sees on article pages and All Articles, block by block."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from tests.conftest import translate_page
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    add_author,
    callout_block,
    embed_block,
    image_block,
    list_block,
    paragraph,
    quote_block,
    reference,
    section,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def text_of(html):
    """The visible text of an HTML fragment, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def visible_text_of(html):
    """``text_of`` without what is there for screen readers only (``visually-hidden``)."""
    return text_of(re.sub(r'<span class="visually-hidden">.*?</span>', "", html, flags=re.S))


@pytest.fixture
def article(index, category):
    image = ImageFactory(title="Crater")
    page = ArticlePageFactory(
        parent=index,
        title="月面に降り立った探査機",
        subtitle="着陸地点は目標から55メートル",
        summary="探査機が月面に着陸した。",
        display_date=datetime(2025, 6, 22, 14, 15, tzinfo=TOKYO),
        category=category,
        lead_image=image,
        lead_image_caption="着陸地点の想像図",
        lead_image_credit="ukiyo イラスト",
        body=[
            section(
                "着陸の経緯",
                [
                    paragraph("探査機は予定通り降下した。", sources=[1, 2, 3]),
                    list_block(
                        "numbered",
                        items=("試料を採取する", "地球へ持ち帰る"),
                        sources=[2],
                        children=("容器を密閉する",),
                    ),
                ],
            ),
            section(
                "今後の計画",
                [
                    quote_block("次の着陸に生かす。", attribution="運用チーム", sources=[3]),
                    callout_block("warning", "注意", "月の夜はおよそ2週間続く。"),
                    image_block(ImageFactory(title="Rover"), alt="月面を走る小型ローバー"),
                    list_block("bulleted", items=("観測", "通信"), children=()),
                ],
            ),
        ],
        references=[
            reference(1, "phys.org"),
            reference(2, "apnews.com"),
            reference(3, "reuters.com"),
        ],
        tags=["JAXA", "Moon"],
    )
    add_author(page, AuthorFactory(name="田中 葵", role="宇宙担当記者"))
    return page


def test_article_shows_its_header(client, article):
    response = client.get(article.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja" dir="ltr">' in html
    assert "<h1" in html and "月面に降り立った探査機</h1>" in html
    assert "着陸地点は目標から55メートル" in html
    assert "田中 葵" in html and "宇宙担当記者" in html
    assert "2025年6月22日 14:15" in html
    assert 'datetime="2025-06-22T14:15:00+09:00"' in html
    assert "着陸地点の想像図" in html and "ukiyo イラスト" in html
    assert "宇宙" in html  # the category


def test_section_headings_carry_their_number_in_the_text(client, article):
    html = client.get(article.url).content.decode()
    headings = [text_of(h) for h in re.findall(r"<h2[^>]*>.*?</h2>", html, re.S)]
    assert "1. 着陸の経緯" in headings
    assert "2. 今後の計画" in headings


def test_citation_chip_shows_first_domain_and_count_of_others(client, article):
    html = client.get(article.url).content.decode()
    chips = re.findall(r'<a[^>]+href="#ref-1"[^>]*>.*?</a>', html, re.S)
    assert chips, "the paragraph citing sources 1-3 links to the first source"
    # What the chip shows, then the source numbers for screen readers only: the accessible
    # name (the link's text) starts with the visible text (WCAG 2.5.3, label in name).
    # (A Japanese article: the numbers are listed the Japanese way.)
    assert visible_text_of(chips[0]) == "phys.org +2"
    assert text_of(chips[0]).startswith("phys.org +2 (") and "1、2、3)" in text_of(chips[0])
    # The list cites source 2 alone: its domain, no "+N".
    chip = re.search(r'<a[^>]+href="#ref-2"[^>]*>.*?</a>', html, re.S).group(0)
    assert visible_text_of(chip) == "apnews.com"
    assert text_of(chip).startswith("apnews.com (") and text_of(chip).endswith("2)")
    assert "aria-label" not in chip


def test_reference_list_gives_every_source_with_domain_and_anchor(client, article):
    html = client.get(article.url).content.decode()
    for number, domain in enumerate(["phys.org", "apnews.com", "reuters.com"], start=1):
        item = re.search(rf'<li id="ref-{number}".*?</li>', html, re.S).group(0)
        assert f"https://www.{domain}/news/{number}" in item
        assert domain in text_of(item)
        assert f"Source number {number}" in item


def test_every_block_renders(client, article):
    html = client.get(article.url).content.decode()
    assert "<ol" in html and "試料を採取する" in html and "容器を密閉する" in html
    assert "<ul" in html and "観測" in html
    assert "<blockquote" in html and "次の着陸に生かす。" in html and "運用チーム" in html
    assert "月の夜はおよそ2週間続く。" in html and "callout--warning" in html
    assert 'alt="月面を走る小型ローバー"' in html
    assert "Back to article list" in html or "記事一覧に戻る" in html


def test_embed_block_renders_the_provider_html(client, index):
    url = "https://www.youtube.com/watch?v=ukiyo-demo"
    Embed.objects.create(
        url=url,
        hash=get_embed_hash(url),
        type="video",
        provider_name="YouTube",
        html='<iframe title="Launch"></iframe>',
    )
    page = ArticlePageFactory(parent=index, body=[section("映像", [embed_block(url, "打ち上げ")])])
    html = client.get(page.url).content.decode()
    assert '<iframe title="Launch"></iframe>' in html
    assert "打ち上げ" in html


def embed_figure(html):
    """The embed's <figure> and the markup outside its inert <template>."""
    figure = re.search(r'<figure class="block-embed">.*?</figure>', html, re.S).group(0)
    outside = re.sub(r"<template data-consent-embed-html>.*?</template>", "", figure, flags=re.S)
    return figure, outside


def test_embed_loads_nothing_before_consent_and_offers_a_button_and_a_link(client, index):
    url = "https://www.youtube.com/watch?v=ukiyo-consent"
    Embed.objects.create(
        url=url,
        hash=get_embed_hash(url),
        type="video",
        provider_name="YouTube",
        html='<iframe src="https://www.youtube.com/embed/x"></iframe><script src="w.js"></script>',
    )
    page = ArticlePageFactory(parent=index, body=[section("映像", [embed_block(url, "打ち上げ")])])
    figure, outside = embed_figure(client.get(page.url).content.decode())
    # The provider's HTML is there, but only inside the inert template.
    assert re.search(r"<template data-consent-embed-html>\s*<div[^>]*>\s*<iframe src=", figure)
    assert "<iframe" not in outside and "<script" not in outside
    with translation.override("ja"):
        sentence = translation.gettext(
            "This content comes from %(provider)s, which may set cookies. It loads when you "
            "allow functional cookies."
        ) % {"provider": "YouTube"}
        load = translation.gettext("Load content")
        link = translation.gettext("Open on the original site")
    assert sentence in outside
    assert re.search(rf"<button [^>]*data-consent-embed-load[^>]*hidden>{load}</button>", outside)
    assert f'<a href="{url}" rel="noopener">{link}</a>' in outside
    assert "<figcaption>打ち上げ</figcaption>" in outside


def test_embed_without_a_provider_name_says_another_site(client, index):
    url = "https://maps.example.com/place/1"
    Embed.objects.create(url=url, hash=get_embed_hash(url), type="rich", html="<iframe></iframe>")
    page = ArticlePageFactory(parent=index, body=[section("地図", [embed_block(url, "")])])
    _, outside = embed_figure(client.get(page.url).content.decode())
    with translation.override("ja"):
        sentence = translation.gettext(
            "This content comes from another site, which may set cookies. It loads when you "
            "allow functional cookies."
        )
    assert sentence in outside and "<iframe" not in outside


def test_embed_that_cannot_be_fetched_falls_back_to_a_link(client, index, monkeypatch):
    from wagtail.embeds import embeds
    from wagtail.embeds.exceptions import EmbedNotFoundException

    def refuse(*args, **kwargs):
        raise EmbedNotFoundException

    monkeypatch.setattr(embeds, "get_embed", refuse)
    url = "https://video.example.com/launch"
    page = ArticlePageFactory(parent=index, body=[section("映像", [embed_block(url, "打ち上げ")])])
    response = client.get(page.url)
    assert response.status_code == 200
    assert f'href="{url}"' in response.content.decode()


def test_english_translation_uses_english_dates_and_language(
    client, article, english_tree, locales
):
    english = translate_page(article, locales["en"], title="A probe on the Moon")
    response = client.get(english.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert english.url.startswith("/en/")
    assert '<html lang="en" dir="ltr">' in html
    assert "June 22, 2025, 14:15" in html


def test_hreflang_alternates_list_live_translations_and_x_default(
    client, article, english_tree, locales
):
    english = translate_page(article, locales["en"], title="A probe on the Moon")
    html = client.get(english.url).content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html))
    assert alternates == {
        "ja": f"http://testserver{article.url}",
        "x-default": f"http://testserver{article.url}",
        "en": f"http://testserver{english.url}",
    }


def test_language_menu_reaches_all_nine_languages(client, article, english_tree, locales):
    english = translate_page(article, locales["en"], title="A probe on the Moon")
    translate_page(article.get_parent(), locales["de"], title="Alle Artikel")
    html = client.get(article.url).content.decode()
    menu = re.search(r'<nav class="language-nav".*?</nav>', html, re.S).group(0)
    for code, name in settings.LANGUAGES:
        assert f'lang="{code}"' in menu and name in menu, code
    # The translation is linked; a language without it links to its own article list.
    assert f'href="{english.url}" lang="en" hreflang="en"' in menu
    assert 'href="/de/articles/" lang="de" hreflang="de"' in menu
    assert menu.count("is-untranslated") == 1  # German only: its list exists, the article not


def test_all_articles_newest_first_and_paginated(client, index, settings):
    settings.UKIYO_ARTICLES_PER_PAGE = 2
    for day in (1, 3, 2):
        ArticlePageFactory(
            parent=index, title=f"Day {day}", display_date=datetime(2025, 5, day, tzinfo=TOKYO)
        )
    first = client.get(index.url).content.decode()
    assert first.index("Day 3") < first.index("Day 2")
    assert "Day 1" not in first
    second = client.get(index.url + "?page=2").content.decode()
    assert "Day 1" in second and "Day 3" not in second


@pytest.mark.parametrize("page_param", ["abc", "999", "-1", "0", "1.5", "%00"])
def test_a_bad_page_number_never_gives_a_server_error(client, index, page_param):
    ArticlePageFactory(parent=index, title="Only article")
    response = client.get(index.url, {"page": page_param})
    assert response.status_code == 200
    assert "Only article" in response.content.decode()


def test_category_filter(client, index, category, locales):
    other = CategoryFactory(name="文化", slug="culture", locale=locales["ja"])
    ArticlePageFactory(parent=index, title="Space story", category=category)
    ArticlePageFactory(parent=index, title="Culture story", category=other)
    html = client.get(index.url, {"category": "culture"}).content.decode()
    assert "Culture story" in html and "Space story" not in html
    unknown = client.get(index.url, {"category": "nope"})
    assert unknown.status_code == 200
    assert "Culture story" not in unknown.content.decode()


def test_all_articles_lists_only_its_own_language(client, index, english_tree, locales):
    ja = ArticlePageFactory(parent=index, title="日本語の記事")
    translate_page(ja, locales["en"], title="English article")
    html = client.get(english_tree[1].url).content.decode()
    assert "English article" in html and "日本語の記事" not in html


def test_drafts_are_not_listed_or_served(client, index):
    draft = ArticlePageFactory(parent=index, title="Unpublished scoop", live=False)
    assert "Unpublished scoop" not in client.get(index.url).content.decode()
    assert client.get(draft.url or f"{index.url}{draft.slug}/").status_code == 404


def test_home_leads_with_the_newest_featured_article_however_old(client, home, index):
    old_featured = ArticlePageFactory(
        parent=index,
        title="Featured long ago",
        featured=True,
        display_date=datetime(2024, 1, 1, tzinfo=TOKYO),
    )
    for day in range(1, 12):
        ArticlePageFactory(
            parent=index, title=f"Recent {day}", display_date=datetime(2025, 6, day, tzinfo=TOKYO)
        )
    response = client.get(home.url)
    assert response.context["lead_article"] == old_featured
    latest = [article.title for article in response.context["latest_articles"]]
    assert latest == [f"Recent {day}" for day in range(11, 5, -1)]


def test_home_without_featured_articles_leads_with_the_newest(client, home, index):
    for day in (1, 2, 3):
        ArticlePageFactory(
            parent=index, title=f"Story {day}", display_date=datetime(2025, 6, day, tzinfo=TOKYO)
        )
    response = client.get(home.url)
    assert response.context["lead_article"].title == "Story 3"
    assert [a.title for a in response.context["latest_articles"]] == ["Story 2", "Story 1"]
