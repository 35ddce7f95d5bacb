"""Editors create article pages through the real admin forms, and bad input is explained."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from news.models import ArticleIndexPage, ArticlePage
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    admin_add_url,
    image_block,
    rich_body,
)

EMBED_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
ALT_TEXT = "The lander on the crater rim"


def list_items(items):
    """ListBlock form data: a count, then each item's value, order and deleted flag."""
    data = {str(i): {"value": item, "order": str(i), "deleted": ""} for i, item in enumerate(items)}
    data["count"] = str(len(items))
    return data


def item(text, sources="", children=None):
    """A paragraph or list item as typed: rich text, source numbers, nested items if any."""
    data = {"text": rich_text(f"<p>{text}</p>"), "sources": sources}
    if children is not None:
        data["children"] = list_items(children)
    return data


def article_form(material, sources="1, 2", updated_date="2025-06-21 10:00"):
    """What an editor types for an article whose one section holds every block kind."""
    content = streamfield(
        [
            ("paragraph", item("The lander touched down.", sources)),
            (
                "list",
                {
                    "style": "numbered",
                    "items": list_items(
                        [
                            item("Collect samples", children=[item("From the rim")]),
                            item("Return them", "2", children=[]),
                        ]
                    ),
                },
            ),
            ("quote", {"text": "We are down.", "attribution": "Flight director", "sources": "1"}),
            (
                "image",
                {
                    "image": {
                        "image": str(material.image.pk),
                        "decorative": "",
                        "alt_text": ALT_TEXT,
                    },
                    "caption": "Seen from orbit",
                    "credit": "ukiyo",
                },
            ),
            ("embed", {"embed": EMBED_URL, "caption": "The landing"}),
            (
                "callout",
                {"tone": "warning", "title": "Note", "text": rich_text("<p>Times are JST.</p>")},
            ),
        ]
    )
    references = streamfield(
        [
            (
                "reference",
                {
                    "title": f"Source {n}",
                    "publisher": f"Publisher {n}",
                    "url": url,
                    "published": "2025-06-20",
                },
            )
            for n, url in [(1, "https://www.phys.org/news/1"), (2, "https://apnews.com/a/2")]
        ]
    )
    return nested_form_data(
        {
            "title": "Lander touches down",
            "slug": "lander-touches-down",
            "subtitle": "Within 55 metres of the target",
            "summary": "The lander touched down on the Moon.",
            "display_date": "2025-06-20 09:30",
            "updated_date": updated_date,
            "category": str(material.category.pk),
            "article_authors": inline_formset([{"author": str(material.author.pk)}]),
            "corrections": inline_formset([]),
            "tags": "moon, space",
            "body": streamfield([("section", {"heading": "Touchdown", "content": content})]),
            "references": references,
            "action-publish": "publish",
        }
    )


@pytest.fixture
def material(category):
    """What the editor picks in choosers; the embed is cached so validation stays offline."""
    Embed.objects.create(
        url=EMBED_URL, hash=get_embed_hash(EMBED_URL), type="video", html="<iframe></iframe>"
    )
    return SimpleNamespace(
        image=ImageFactory(title="Crater"),
        author=AuthorFactory(name="山田 花子"),
        category=category,
    )


def test_editor_creates_an_article_index(editor, home):
    data = nested_form_data(
        {
            "title": "All Articles",
            "slug": "articles",
            "intro": rich_text("<p>Everything we published.</p>"),
            "action-publish": "publish",
        }
    )
    response = editor.post(admin_add_url(ArticleIndexPage, home), data)

    assert response.status_code == 302
    index = ArticleIndexPage.objects.get(slug="articles")
    assert index.live
    assert index.get_parent().pk == home.pk
    assert index.locale == home.locale
    assert strip_tags(index.intro) == "Everything we published."


def test_admin_refuses_a_second_article_index_under_the_same_home(editor, index):
    response = editor.get(admin_add_url(ArticleIndexPage, index.get_parent()))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert ArticleIndexPage.objects.count() == 1


def test_editor_publishes_an_article_with_every_block_kind(editor, index, material):
    response = editor.post(admin_add_url(ArticlePage, index), article_form(material))

    assert response.status_code == 302, response.context["form"].errors
    assert response.url == reverse("wagtailadmin_explore", args=[index.pk])
    article = ArticlePage.objects.get(slug="lander-touches-down")
    assert article.live
    assert article.get_parent().pk == index.pk
    assert article.title == "Lander touches down"
    assert article.subtitle == "Within 55 metres of the target"
    assert article.display_date == timezone.make_aware(datetime(2025, 6, 20, 9, 30))
    assert article.updated_date == timezone.make_aware(datetime(2025, 6, 21, 10, 0))
    assert article.category == material.category
    assert article.authors == [material.author]
    assert sorted(article.tag_names) == ["moon", "space"]

    [(number, section)] = article.numbered_sections()
    assert (number, section.value["heading"]) == (1, "Touchdown")
    content = section.value["content"]
    assert [child.block_type for child in content] == [
        "paragraph",
        "list",
        "quote",
        "image",
        "embed",
        "callout",
    ]
    paragraph, items, quote, figure, embed, callout = (child.value for child in content)
    # Citations are stored as numbers, not as the text the editor typed.
    assert article.body.raw_data[0]["value"]["content"][0]["value"]["sources"] == [1, 2]
    assert strip_tags(paragraph["text"].source) == "The lander touched down."
    assert items["style"] == "numbered"
    first, second = items["items"]
    assert [strip_tags(child["text"].source) for child in first["children"]] == ["From the rim"]
    assert second.sources() == [2]
    assert (quote["text"], quote["attribution"], quote.sources()) == (
        "We are down.",
        "Flight director",
        [1],
    )
    assert figure["image"].pk == material.image.pk
    assert figure.alt_text() == ALT_TEXT
    assert figure["caption"] == "Seen from orbit"
    assert embed["embed"].url == EMBED_URL
    assert (callout["tone"], callout["title"]) == ("warning", "Note")
    assert strip_tags(callout["text"].source) == "Times are JST."

    assert [(n, ref["title"], ref.domain) for n, ref in article.citations([1, 2])] == [
        (1, "Source 1", "phys.org"),
        (2, "Source 2", "apnews.com"),
    ]


def typed_source(text):
    """How a citation the editor typed appears in the re-rendered body (escaped JSON)."""
    return f"&quot;sources&quot;: &quot;{text}&quot;"


@pytest.mark.parametrize(
    ("changes", "field", "message", "typed"),
    [
        (
            {"sources": "one, two"},
            "body",
            "Enter source numbers from the reference list separated by commas, e.g. 1, 3.",
            typed_source("one, two"),
        ),
        (
            {"sources": "1, 3"},
            "body",
            "Source 3 is not in the reference list. It has 2 sources.",
            typed_source("1, 3"),
        ),
        (
            {"updated_date": "2025-06-19 08:00"},
            "updated_date",
            "The update cannot be earlier than the publication date.",
            'value="2025-06-19 08:00"',
        ),
    ],
    ids=["citation-text", "unknown-source", "update-before-publication"],
)
def test_bad_input_is_explained_and_nothing_typed_is_lost(
    editor, index, material, changes, field, message, typed
):
    response = editor.post(admin_add_url(ArticlePage, index), article_form(material, **changes))

    assert response.status_code == 200
    assert not ArticlePage.objects.exists()
    assert list(response.context["form"].errors) == [field]
    html = response.content.decode()
    assert message in html
    # Everything the editor typed comes back in the re-rendered form.
    kept = [
        typed,
        'value="Lander touches down"',
        "The lander touched down on the Moon.",
        "From the rim",
        ALT_TEXT,
        EMBED_URL,
    ]
    assert [text for text in kept if text not in html] == []


@pytest.mark.parametrize("language, label", [("ja", "出典"), ("en", "Sources")])
def test_the_sources_of_a_paragraph_are_labelled_in_the_admins_language(language, label):
    """The citations block is named by its own (translated) label, not after its field name."""
    section = ArticlePage._meta.get_field("body").stream_block.child_blocks["section"]
    paragraph = section.child_blocks["content"].child_blocks["paragraph"]
    with translation.override(language):
        assert str(paragraph.child_blocks["sources"].label) == label


def test_an_article_with_a_figure_opens_in_the_editor_again_and_again(editor, index):
    """The image chooser's thumbnail, created on the first visit, is found on the next ones
    (the figures' prefetched renditions must not hide it: that was a 500 from the second
    editor on)."""
    image = ImageFactory()
    body = rich_body(1)
    body[0]["value"]["content"].append(image_block(image))
    article = ArticlePageFactory(parent=index, body=body)
    url = reverse("wagtailadmin_pages:edit", args=[article.pk])

    for _visit in range(3):
        response = editor.get(url)
        assert response.status_code == 200
    assert image.renditions.filter(filter_spec="max-165x165").count() == 1
