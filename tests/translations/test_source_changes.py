"""The translation editor lists what changed in the source since the text was last translated."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail_localize.models import Translation

from news.models import ArticlePage
from tests.factories import paragraph
from translations.changes import CHANGED, diff, source_changes, tokens

from . import test_sync
from .test_sync import sync

# The article translated into English and French, English corrected and live.
translated = test_sync.translated

BEFORE = "探査機は月の南極に着陸した。"
AFTER = "探査機は月の北極に着陸した。"


@pytest.fixture
def article(article):
    """The conftest's article, its first paragraph in Japanese."""
    edit_body(article, lambda body: set_paragraph(body, 0, BEFORE))
    return ArticlePage.objects.get(pk=article.pk)


def set_paragraph(body, n, text):
    body[0]["value"]["content"][n]["value"]["text"] = f"<p>{text}</p>"


def edit_body(article, change):
    article = ArticlePage.objects.get(pk=article.pk)
    body = json.loads(json.dumps(list(article.body.raw_data)))
    change(body)
    article.body = body
    article.save_revision().publish()


def publish_and_sync(translator, article, source, capture, change=None, **fields):
    article = ArticlePage.objects.get(pk=article.pk)
    if change is not None:
        body = json.loads(json.dumps(list(article.body.raw_data)))
        change(body)
        article.body = body
    for name, value in fields.items():
        setattr(article, name, value)
    article.save_revision().publish()
    sync(translator, source, capture)


def editor(translator, article, code, locales):
    page = article.get_translation(locales[code])
    response = translator.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    assert "js-translation-editor" in response.content.decode()  # wagtail-localize's editor
    return response.content.decode()


def panel(html):
    """The source-changes panel of the editor's page, or "" when there is none."""
    match = re.search(r'<section class="source-changes".*?</section>', html, re.DOTALL)
    return match.group(0) if match else ""


def items(html):
    """{kind: [item's HTML]} of the panel's list."""
    found = {}
    for kind, item in re.findall(
        r'<li class="source-change source-change--(\w+)"(.*?)</li>', panel(html), re.DOTALL
    ):
        found.setdefault(kind, []).append(item)
    return found


def text(fragment):
    return re.sub(r"<[^>]+>", "", fragment)


def test_a_changed_japanese_paragraph_shows_its_old_and_new_source(
    translator, article, locales, translated, django_capture_on_commit_callbacks
):
    source = translated
    assert panel(editor(translator, article, "en", locales)) == ""  # nothing changed yet

    publish_and_sync(
        translator,
        article,
        source,
        django_capture_on_commit_callbacks,
        change=lambda body: set_paragraph(body, 0, AFTER),
    )

    html = editor(translator, article, "en", locales)
    found = items(html)
    assert list(found) == ["changed"]  # every unchanged segment is left out
    (item,) = found["changed"]
    old = re.search(r'class="source-change__old" lang="ja">(.*?)</dd>', item).group(1)
    new = re.search(r'class="source-change__new" lang="ja">(.*?)</dd>', item).group(1)
    # Character by character: only the one changed character is marked.
    assert old == "探査機は月の<del>南</del>極に着陸した。"
    assert new == "探査機は月の<ins>北</ins>極に着陸した。"
    assert text(old) == BEFORE and text(new) == AFTER
    # What the translator had translated (the offline machine translator copies the source).
    translation = re.search(r'class="source-change__translation" lang="en">(.*?)</dd>', item)
    assert text(translation.group(1)) == BEFORE
    # Named as the editor names the segment's place.
    assert '<span class="source-change__label">Section › Content</span>' in item
    assert '<span class="source-change__state">Changed</span>' in item
    assert "1 segment changed" in panel(html)


def test_a_new_segment_is_listed_as_new(
    translator, article, locales, translated, django_capture_on_commit_callbacks
):
    added = "新しい段落:着陸地点の写真が公開された。"
    publish_and_sync(
        translator,
        article,
        translated,
        django_capture_on_commit_callbacks,
        change=lambda body: body[0]["value"]["content"].append(paragraph(added)),
    )

    found = items(editor(translator, article, "fr", locales))
    assert list(found) == ["new"]
    (item,) = found["new"]
    assert added in item and "New" in item
    assert "<del>" not in item and "<ins>" not in item


def test_source_text_is_shown_never_injected(
    translator, article, locales, translated, django_capture_on_commit_callbacks
):
    publish_and_sync(
        translator,
        article,
        translated,
        django_capture_on_commit_callbacks,
        summary='What happened <script>alert("ukiyo")</script> in two sentences.',
    )

    html = editor(translator, article, "en", locales)
    (item,) = items(html)["changed"]
    assert "&lt;script&gt;alert(&quot;ukiyo&quot;)&lt;/script&gt;" in item
    assert "<script>alert" not in html
    assert "&amp;lt;" not in item  # escaped once, not twice


def test_a_translation_never_synced_since_it_was_made_lists_nothing(
    translator, article, locales, translated
):
    assert panel(editor(translator, article, "en", locales)) == ""
    translation = Translation.objects.get(source=translated, target_locale=locales["fr"])
    assert source_changes(translation) == []


@pytest.mark.parametrize("count", [1, 6])
def test_the_changes_cost_two_queries_whatever_their_number(
    translator, article, locales, translated, django_capture_on_commit_callbacks, count
):
    def rewrite(body):
        blocks = [block for section in body for block in section["value"]["content"]]
        texts = [block for block in blocks if block["type"] in ("paragraph", "quote", "callout")]
        for n, block in enumerate(texts[:count]):
            value = f"書き直された文 {n}。"
            block["value"]["text"] = value if block["type"] == "quote" else f"<p>{value}</p>"

    publish_and_sync(
        translator, article, translated, django_capture_on_commit_callbacks, change=rewrite
    )
    translation = Translation.objects.select_related("source", "target_locale").get(
        source=translated, target_locale=locales["en"]
    )
    with CaptureQueriesContext(connection) as queries:
        changes = source_changes(translation)
        for change in changes:
            assert change.pieces and change.source_pieces and change.translation_pieces
    assert [change.kind for change in changes] == [CHANGED] * count
    assert len(queries) == 2


def test_words_of_spaced_scripts_and_characters_of_unspaced_ones():
    assert [piece.text for piece in diff("The lander moved.", "The rover moved.")] == [
        "The ",
        "lander",
        "rover",
        " moved.",
    ]
    # Thai has no spaces between words: one changed character is one changed piece.
    pieces = diff("ยานลงจอดที่ขั้วใต้", "ยานลงจอดที่ขั้วเหนือ")
    assert pieces[0].kind == "equal" and pieces[0].text.startswith("ยานลงจอดที่ขั้ว")
    # The segment's inline tags are markers of their own; entities are unescaped once.
    assert tokens('<a id="a1">R&amp;D</a><br/>x') == [
        ('<a id="a1">', True),
        ("R", False),
        ("&", False),
        ("D", False),
        ("</a>", True),
        ("\n", False),
        ("x", False),
    ]
