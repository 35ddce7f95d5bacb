"""The dashboard's state filter works in the database: the same rows, one page of them read."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation

from news.models import ArticlePage
from tests.branches import branch_editor
from tests.conftest import translate_page
from tests.translations.test_dashboard import publish_translation, small_article, translate
from translations import dashboard, views
from translations.access import editable_pages
from translations.dashboard import FILTERS, build_rows, with_state

DASHBOARD = reverse("translations:dashboard")


@pytest.fixture
def every_state(index, english_tree, locales, django_capture_on_commit_callbacks):
    """Articles whose English, French and German cells cover every state and review."""
    en, fr, de = locales["en"], locales["fr"], locales["de"]
    with django_capture_on_commit_callbacks(execute=True):
        live = small_article(index, 1)  # en live and reviewed, fr machine draft
        translate(live, en, fr)
        publish_translation(live, en)
        started = small_article(index, 2)  # en in progress
        translate(started, en, machine=False)
        changed = small_article(index, 3)  # en, fr outdated
        translate(changed, en, fr)
        changed.summary = "新しい要約。"
        changed.save_revision().publish()
        handmade = small_article(index, 4)  # de written by hand, live
        translate_page(handmade, de, title="Von Hand")
        unpublished = small_article(index, 5)  # de written by hand, a draft
        german = unpublished.copy_for_translation(de, copy_parents=True)
        german.save_revision()
        retranslated = small_article(index, 6)  # en live, then a segment translated again
        translate(retranslated, en)
        publish_translation(retranslated, en)
        StringTranslation.objects.filter(
            locale=en, context__object_id=retranslated.translation_key
        ).update(data="Translated again")
        pending = small_article(index, 7)  # en live with a draft waiting
        translate(pending, en)
        publish_translation(pending, en)
        english = pending.get_translation(en)
        english.save_revision()
        mirrored = small_article(index, 8)  # fr an alias: missing
        # The French list exists: translating the first article made it.
        mirrored.create_alias(parent=index.get_translation(fr), update_locale=fr)
    return index


def expected(articles, state, columns, editable):
    return {
        row.article.pk for row in build_rows(articles, columns, editable) if row.has_state(state)
    }


LANGUAGES = [None, "en", "fr", "de"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_database_finds_the_articles_the_cells_show(every_state, language):
    source = Locale.get_default()
    columns = [
        locale
        for locale in Locale.objects.exclude(pk=source.pk)
        if language is None or locale.language_code == language
    ]
    articles = ArticlePage.objects.filter(locale=source, alias_of__isnull=True)
    seen = set()
    for state in FILTERS:
        found = set(with_state(articles, state, columns, source).values_list("pk", flat=True))
        assert found == expected(articles, state, columns, None), (state, language)
        seen |= {state} if found else set()
    if language is None:
        # The fixture is worth its name: every filter finds something.
        assert seen == set(FILTERS)


@pytest.mark.parametrize("language", [None, "en"])
def test_a_desk_finds_only_the_cells_it_may_see(client, every_state, english_tree, language):
    branch_editor(client, english_tree[1], codenames=["submit_translation"])
    editable = editable_pages(get_user_model().objects.get(username="english-desk"))
    source = Locale.get_default()
    columns = [
        locale
        for locale in Locale.objects.exclude(pk=source.pk)
        if language is None or locale.language_code == language
    ]
    articles = ArticlePage.objects.filter(locale=source, alias_of__isnull=True)
    for state in FILTERS:
        found = set(
            with_state(articles, state, columns, source, editable).values_list("pk", flat=True)
        )
        assert found == expected(articles, state, columns, editable), (state, language)


def test_a_state_filter_reads_one_page_of_articles(translator, index, locales, monkeypatch):
    de = locales["de"]
    for n in range(30):
        translate_page(small_article(index, n), de, title=f"Artikel {n}")
    read = []

    def build_rows(articles, *args, **kwargs):
        articles = list(articles)
        read.append(len(articles))
        return dashboard.build_rows(articles, *args, **kwargs)

    monkeypatch.setattr(views, "build_rows", build_rows)
    first = translator.get(DASHBOARD, {"state": "live", "language": "de"})
    second = translator.get(DASHBOARD, {"state": "live", "language": "de", "p": "2"})
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5
    assert first.context["page_obj"].paginator.count == 30
    # The database counted the 30 articles; the rows of one page were read and computed.
    assert read == [25, 5]
