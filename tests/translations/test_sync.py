"""When the source changes, updating its translations keeps every unchanged segment's work."""

import json

import pytest
from django.urls import reverse
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from news.models import ArticlePage
from tests.translations.reviewing import machine_segments, mark_reviewed

from .test_translate_action import submit

DASHBOARD = reverse("translations:dashboard")
CHANGED = "The lander moved to a new site."


def translations_by_segment(source, locale):
    """{segment id: translated text or None} for every string segment of ``source``."""
    return dict(
        StringSegment.objects.filter(source=source)
        .annotate_translation(locale)
        .values_list("id", "translation")
    )


def cell(client, article, code):
    response = client.get(DASHBOARD, {"language": code})
    row = next(row for row in response.context["rows"] if row.article.pk == article.pk)
    return row.cells[0]


def body_text(page):
    return json.dumps(list(page.specific.body.raw_data), ensure_ascii=False)


def change_first_paragraph(article):
    article = ArticlePage.objects.get(pk=article.pk)
    body = json.loads(json.dumps(list(article.body.raw_data)))
    body[0]["value"]["content"][0]["value"]["text"] = f"<p>{CHANGED}</p>"
    article.body = body
    article.save_revision().publish()
    return article


@pytest.fixture
def translated(translator, article, locales, django_capture_on_commit_callbacks):
    """The article machine-translated into English and French, English corrected and live."""
    en, fr = locales["en"], locales["fr"]
    submit(translator, article, [en, fr], capture=django_capture_on_commit_callbacks)
    source = TranslationSource.objects.get(object_id=article.translation_key)
    # A translator corrects the summary by hand, then publishes the English translation
    # from wagtail-localize's translation editor.
    summary = StringTranslation.objects.get(
        locale=en, context__object_id=article.translation_key, context__path="summary"
    )
    summary.data = "What happened, in two sentences (checked by a translator)."
    summary.translation_type = StringTranslation.TRANSLATION_TYPE_MANUAL
    summary.save()
    mark_reviewed(en)  # and reviews every other segment
    with django_capture_on_commit_callbacks(execute=True):
        response = translator.post(
            reverse("wagtailadmin_pages:edit", args=[article.get_translation(en).pk]),
            {"action": "publish"},
        )
    assert response.status_code == 302
    assert article.get_translation(en).live
    return source


def sync(client, source, capture, **data):
    """wagtail-localize's own "Sync translated pages" action, as a translator uses it."""
    with capture(execute=True):
        response = client.post(
            reverse("wagtail_localize:update_translations", args=[source.pk]), data
        )
    assert response.status_code == 302
    return response


def test_only_the_changed_segment_needs_work_after_an_update(
    translator, article, locales, translated, django_capture_on_commit_callbacks
):
    en = locales["en"]
    source = translated
    assert cell(translator, article, "en").state == "live"
    assert cell(translator, article, "fr").state == "draft"
    before = {code: translations_by_segment(source, locales[code]) for code in ("en", "fr")}
    assert all(text is not None for text in before["en"].values())

    change_first_paragraph(article)

    assert cell(translator, article, "en").state == "outdated"
    assert cell(translator, article, "fr").state == "outdated"

    sync(translator, source, django_capture_on_commit_callbacks)

    for code in ("en", "fr"):
        after = translations_by_segment(source, locales[code])
        untranslated = [segment for segment, text in after.items() if text is None]
        (needs_work,) = untranslated
        assert StringSegment.objects.get(pk=needs_work).string.data == CHANGED
        # Every other segment keeps exactly the translation it had, manual ones included.
        assert {s: t for s, t in after.items() if s != needs_work} == {
            s: t for s, t in before[code].items() if s in after and s != needs_work
        }
        assert len(after) == len(before[code])
    manual = StringTranslation.objects.get(
        locale=en, context__object_id=article.translation_key, context__path="summary"
    )
    assert manual.translation_type == StringTranslation.TRANSLATION_TYPE_MANUAL
    assert manual.data.endswith("(checked by a translator).")

    # The dashboard says what is left, and the translation editor shows which segment it is.
    state = cell(translator, article, "en")
    assert state.state == "in_progress"
    total = len(before["en"])
    assert state.percent == (total - 1) * 100 // total
    editor = translator.get(state.url)
    props = json.loads(editor.context["props"])
    translated_ids = {item["segment_id"] for item in props["initialStringTranslations"]}
    missing = [
        s for s in props["segments"] if s["type"] == "string" and s["id"] not in translated_ids
    ]
    assert [segment["source"] for segment in missing] == [CHANGED]

    # The live English page is untouched until a translator publishes.
    assert article.get_translation(en).specific.summary.endswith("(checked by a translator).")


def test_bulk_action_update_then_machine_translation_fills_only_the_gap(
    translator, article, locales, translated, django_capture_on_commit_callbacks
):
    en, fr = locales["en"], locales["fr"]
    source = translated
    change_first_paragraph(article)

    # ukiyo's own action does the same sync, and machine-translates just the changed segment.
    submit(translator, article, [en, fr], capture=django_capture_on_commit_callbacks)

    for code in ("en", "fr"):
        texts = translations_by_segment(source, locales[code])
        assert all(text is not None for text in texts.values())
        assert CHANGED in texts.values()
        assert machine_segments(locales[code]).filter(data=CHANGED).exists()
    manual = StringTranslation.objects.get(
        locale=en, context__object_id=article.translation_key, context__path="summary"
    )
    assert manual.translation_type == StringTranslation.TRANSLATION_TYPE_MANUAL
    assert manual.data.endswith("(checked by a translator).")

    # French was a draft: it is rewritten with the new paragraph. English is live: it keeps its
    # published text, and the dashboard says an update waits to be published.
    assert CHANGED in body_text(article.get_translation(fr))
    assert CHANGED not in body_text(article.get_translation(en))
    english = cell(translator, article, "en")
    assert english.state == "draft" and english.unpublished_changes and english.percent == 100
    assert cell(translator, article, "fr").state == "draft"

    # The translator reviews the machine-translated paragraph and publishes English from the
    # translation editor: live again, with the change.
    mark_reviewed(en)
    with django_capture_on_commit_callbacks(execute=True):
        translator.post(english.url, {"action": "publish"})
    assert CHANGED in body_text(article.get_translation(en))
    assert cell(translator, article, "en").state == "live"


def test_optional_children_left_null_or_missing_translate_and_sync(
    translator, article, locales, translated, django_capture_on_commit_callbacks, client
):
    """As after a schema change adds an optional child, or an integration sends ``null``:
    submitting and syncing translations treats the empty child as empty, not as an error."""
    en = locales["en"]
    source = translated
    article = ArticlePage.objects.get(pk=article.pk)
    body = json.loads(json.dumps(list(article.body.raw_data)))
    for section in body:
        for block in section["value"]["content"]:
            if block["type"] == "quote":
                block["value"]["attribution"] = None
            elif block["type"] == "callout":
                del block["value"]["title"]
    article.body = body
    article.save_revision().publish()

    sync(translator, source, django_capture_on_commit_callbacks)
    # ukiyo's translate action (an update with machine translation) works too.
    response = submit(
        translator, article, [en, locales["de"]], capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302

    paths = set(StringSegment.objects.filter(source=source).values_list("context__path", flat=True))
    assert not any(path.endswith(".attribution") for path in paths)
    assert not any(path.endswith(".title") and ".content." in path for path in paths)
    # The new German draft and the republished English page carry the new body, the empty
    # children still empty.
    Translation.objects.get(source=source, target_locale=en).save_target(publish=True)
    for code in ("en", "de"):
        draft = article.get_translation(locales[code]).get_latest_revision_as_object()
        quotes = [
            block.value
            for section in draft.body
            for block in section.value["content"]
            if block.block_type == "quote"
        ]
        assert quotes and all(not quote["attribution"] for quote in quotes)
    assert client.get(article.get_translation(en).get_url()).status_code == 200
