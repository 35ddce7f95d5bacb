"""Images on readers' pages: sized for the reader's screen, the largest one first.

Every image has ``srcset`` and ``sizes`` (a phone does not download the desktop image) and
``width``/``height`` (no layout shift). The page's largest image on the first screen (the LCP
element) has ``fetchpriority="high"`` and is never lazy; images further down are lazy.
"""

import re

import pytest

from news.images import SIZES
from tests.factories import ArticlePageFactory, ImageFactory, rich_body


def images(html):
    """Each ``<img>`` of the page's main content as a dict of its attributes."""
    main = html.split('id="main-content"', 1)[1].split("</main>", 1)[0]
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) | {"_tag": tag}
        for tag in re.findall(r"<img\b[^>]*>", main)
    ]


def widths(srcset):
    return [int(item.rsplit(" ", 1)[1].rstrip("w")) for item in srcset.split(", ")]


def wide_image():
    return ImageFactory(file__width=1600, file__height=900)


@pytest.fixture
def article(index, category):
    return ArticlePageFactory(
        parent=index,
        category=category,
        lead_image=wide_image(),
        body=rich_body(2, images=[wide_image(), wide_image()]),
    )


def test_the_article_lead_is_the_priority_image_in_every_width_up_to_the_column(client, article):
    lead, *_figures = images(client.get(article.url).content.decode())

    assert widths(lead["srcset"]) == [480, 800, 1200]
    assert lead["sizes"] == SIZES["article"]
    assert (lead["width"], lead["height"]) == ("1200", "675")
    assert ".width-1200." in lead["src"]
    assert lead["fetchpriority"] == "high"
    assert "loading" not in lead
    assert "article__lead-image" in lead["class"]


def test_body_figures_are_responsive_and_lazy(client, article):
    _lead, *figures = images(client.get(article.url).content.decode())

    assert len(figures) == 2
    for figure in figures:
        assert widths(figure["srcset"]) == [480, 800, 1200]
        assert figure["sizes"] == SIZES["article"]
        assert (figure["width"], figure["height"]) == ("1200", "675")
        assert figure["loading"] == "lazy"
        assert figure["decoding"] == "async"
        assert "fetchpriority" not in figure


def test_an_image_narrower_than_the_widths_is_listed_once_at_its_own_size(client, index):
    small = ImageFactory(file__width=600, file__height=400)
    article = ArticlePageFactory(parent=index, lead_image=small)

    lead = images(client.get(article.url).content.decode())[0]

    assert widths(lead["srcset"]) == [480, 600]
    assert (lead["width"], lead["height"]) == ("600", "400")


def test_the_first_card_of_all_articles_is_the_priority_image_and_the_first_row_is_eager(
    client, index, category
):
    for _ in range(5):
        ArticlePageFactory(parent=index, category=category, lead_image=wide_image())

    for url in (index.url, f"{index.url}?category=space"):
        cards = images(client.get(url).content.decode())

        assert len(cards) == 5
        assert cards[0]["fetchpriority"] == "high"
        assert "loading" not in cards[0]
        for card in cards[1:3]:
            assert "loading" not in card and "fetchpriority" not in card
        for card in cards[3:]:
            assert card["loading"] == "lazy"
            assert "fetchpriority" not in card
        for card in cards:
            assert widths(card["srcset"]) == [320, 480, 640, 960]
            assert card["sizes"] == SIZES["card"]
            assert (card["width"], card["height"]) == ("640", "360")
            assert card["alt"] == ""


def test_the_top_story_is_the_home_page_s_priority_image(client, home, index, category):
    for featured in (True, False, False):
        ArticlePageFactory(
            parent=index, category=category, lead_image=wide_image(), featured=featured
        )

    top, *others = images(client.get(home.url).content.decode())

    assert top["fetchpriority"] == "high"
    assert "loading" not in top
    assert top["sizes"] == SIZES["top-story"]
    assert len(others) == 2
    for card in others:
        assert card["loading"] == "lazy"
        assert card["sizes"] == SIZES["card"]


def test_sizes_follow_the_stylesheet_breakpoints():
    """The breakpoints ``sizes`` names are those the stylesheets lay the images out with: the
    page's widths in ukiyo.css, the lists' grid in listing.css."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "cms/static/css"
    css = (folder / "ukiyo.css").read_text()
    listing = (folder / "listing.css").read_text()

    assert "--page-width: 75rem;" in css
    assert "--measure: 40em;" in css
    grid = listing.split(".card-grid {", 1)[1]
    assert "@media (min-width: 40em)" in grid and "@media (min-width: 64em)" in grid
    assert "@media (min-width: 48em)" in listing.split(".card--lead", 1)[1]
