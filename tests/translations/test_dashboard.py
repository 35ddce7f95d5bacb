"""The translation dashboard: every article × every other language, with its state."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail_localize.models import StringTranslation, TranslationSource

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, paragraph, section
from tests.translations.reviewing import mark_reviewed
from translations.machine import OfflineTranslator
from translations.operations import PageTranslator
from translations.views import DashboardView

DASHBOARD = reverse("translations:dashboard")


def small_article(index, n):
    return ArticlePageFactory(
        parent=index,
        title=f"記事 {n}",
        slug=f"article-{n}",
        body=[section("見出し", [paragraph(f"段落 {n}。"), paragraph("二つ目の段落。")])],
        references=[],
    )


def translate(page, *locales, machine=True):
    translator = PageTranslator(
        locales, machine_translator=OfflineTranslator({}) if machine else None
    )
    return translator.translate_page(page)


def publish_translation(page, locale):
    translation = page.get_translation(locale)
    mark_reviewed(locale)
    translation.get_latest_revision().publish()


def states(response):
    """{article title: {language code: state}} for the rows shown."""
    return {
        row.article.title: {cell.locale.language_code: cell.state for cell in row.cells}
        for row in response.context["rows"]
    }


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def newsroom(index, locales, django_capture_on_commit_callbacks):
    """Four articles, each showing different states in English and French."""
    en, fr, de = locales["en"], locales["fr"], locales["de"]
    with django_capture_on_commit_callbacks(execute=True):
        live = small_article(index, 1)  # en live, fr draft
        translate(live, en, fr)
        publish_translation(live, en)
        started = small_article(index, 2)  # en in progress (no machine translation), fr missing
        translate(started, en, machine=False)
        changed = small_article(index, 3)  # en and fr outdated: the source changed since
        translate(changed, en, fr)
        changed.summary = "新しい要約。"
        changed.save_revision().publish()
        handmade = small_article(index, 4)  # de written by hand, not synced
        translate_page(handmade, de, title="Von Hand")
    return {"live": live, "started": started, "changed": changed, "handmade": handmade}


def test_the_menu_leads_to_the_dashboard(translator, home):
    response = translator.get(reverse("wagtailadmin_home"))
    assert DASHBOARD in response.content.decode()
    assert translator.get(DASHBOARD).status_code == 200


def test_every_article_shows_its_state_in_every_other_language(translator, newsroom):
    response = translator.get(DASHBOARD)
    assert response.status_code == 200
    shown = states(response)
    columns = [locale.language_code for locale in response.context["columns"]]
    assert columns == ["en", "zh-hans", "es", "fr", "ko", "de", "th", "hi"]
    assert shown["記事 1"] | {} == {
        **dict.fromkeys(columns, "missing"),
        "en": "live",
        "fr": "draft",
    }
    assert shown["記事 2"]["en"] == "in_progress"
    assert shown["記事 2"]["fr"] == "missing"
    assert shown["記事 3"]["en"] == shown["記事 3"]["fr"] == "outdated"
    assert shown["記事 4"]["de"] == "live"
    assert shown["記事 4"]["en"] == "missing"
    # Newest first, as articles are listed everywhere else.
    assert list(shown) == ["記事 4", "記事 3", "記事 2", "記事 1"]
    html = response.content.decode()
    assert 'data-state="outdated" data-language="fr"' in html


def test_in_progress_says_how_much_is_done(translator, newsroom, locales):
    started = newsroom["started"]
    source = TranslationSource.objects.get(object_id=started.translation_key)
    segments = source.stringsegment_set.select_related("string", "context").order_by("order")
    assert segments.count() == 6  # title, slug, summary, heading, two paragraphs
    first = segments.first()
    StringTranslation.objects.create(
        translation_of=first.string, context=first.context, locale=locales["en"], data="Article 2"
    )
    response = translator.get(DASHBOARD, {"language": "en"})
    (cell,) = next(r.cells for r in response.context["rows"] if r.article.pk == started.pk)
    assert cell.state == "in_progress"
    assert cell.percent == 100 // segments.count()
    assert f"{cell.percent}%" in response.content.decode()


def test_each_cell_links_to_where_the_translator_acts(translator, newsroom, locales):
    response = translator.get(DASHBOARD)
    cells = {
        (row.article.title, cell.locale.language_code): cell
        for row in response.context["rows"]
        for cell in row.cells
    }
    live, started, changed = newsroom["live"], newsroom["started"], newsroom["changed"]
    missing = cells["記事 2", "fr"].url
    assert missing.startswith(reverse("translations:translate_page", args=[started.pk]))
    assert "locale=fr" in missing
    assert cells["記事 1", "en"].url == reverse(
        "wagtailadmin_pages:edit", args=[live.get_translation(locales["en"]).pk]
    )
    source = TranslationSource.objects.get(object_id=changed.translation_key)
    assert cells["記事 3", "en"].url.startswith(
        reverse("wagtail_localize:update_translations", args=[source.pk])
    )
    # The links work: the edit link opens wagtail-localize's translation editor.
    editor = translator.get(cells["記事 2", "en"].url)
    assert editor.status_code == 200
    assert "wagtail_localize/admin/edit_translation.html" in [t.name for t in editor.templates]
    assert translator.get(missing).status_code == 200
    assert translator.get(cells["記事 3", "en"].url).status_code == 200


def test_filter_by_language(translator, newsroom):
    response = translator.get(DASHBOARD, {"language": "fr"})
    assert [loc.language_code for loc in response.context["columns"]] == ["fr"]
    assert states(response)["記事 1"] == {"fr": "draft"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "outdated"}, {"記事 3"}),
        ({"state": "live"}, {"記事 1", "記事 4"}),
        ({"state": "live", "language": "en"}, {"記事 1"}),
        ({"state": "missing", "language": "fr"}, {"記事 2", "記事 4"}),
        ({"state": "in_progress", "language": "fr"}, set()),
    ],
)
def test_filter_by_state(translator, newsroom, query, expected):
    response = translator.get(DASHBOARD, query)
    assert response.status_code == 200
    assert set(states(response)) == expected
    if not expected:
        assert "No article matches these filters." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"language": "xx"}, "There is no language “xx” to filter by"),
        ({"language": "ja"}, "There is no language “ja” to filter by"),  # the source itself
        ({"state": "done"}, "There is no state “done” to filter by"),
        ({"state": "<b>"}, "There is no state “<b>” to filter by"),
    ],
)
def test_unknown_filters_show_everything_and_say_so(translator, newsroom, query, message):
    response = translator.get(DASHBOARD, query)
    assert response.status_code == 200
    assert len(states(response)) == 4
    assert len(response.context["columns"]) == 8
    assert any(message in m for m in messages_of(response))
    assert "“<b>”" not in response.content.decode()  # the message is escaped


def test_articles_are_paginated(translator, index):
    for n in range(30):
        small_article(index, n)
    first = translator.get(DASHBOARD)
    assert len(first.context["rows"]) == 25
    second = translator.get(DASHBOARD, {"p": 2})
    assert len(second.context["rows"]) == 5
    assert not set(states(first)) & set(states(second))
    for bad in ("x", "0", "99"):
        assert translator.get(DASHBOARD, {"p": bad}).status_code == 200


def test_machine_only_partly_reviewed_and_reviewed_are_told_apart(
    translator, index, locales, django_capture_on_commit_callbacks
):
    en, fr, de = locales["en"], locales["fr"], locales["de"]
    with django_capture_on_commit_callbacks(execute=True):
        article = small_article(index, 1)
        translate(article, en, fr, de)
        untouched = small_article(index, 2)
        translate(untouched, en, machine=False)
    segments = TranslationSource.objects.get(object_id=article.translation_key).stringsegment_set
    total = segments.count()
    mark_reviewed(de)
    # An English translator reviews the title (saves it, changed or not).
    StringTranslation.objects.filter(
        locale=en, context__object_id=article.translation_key, context__path="title"
    ).update(translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL)

    response = translator.get(DASHBOARD)
    row = next(row for row in response.context["rows"] if row.article.pk == article.pk)
    cells = {cell.locale.language_code: cell for cell in row.cells}
    assert (cells["fr"].review, cells["fr"].to_review) == ("machine_only", total)
    assert (cells["en"].review, cells["en"].to_review) == ("partly_reviewed", total - 1)
    assert (cells["de"].review, cells["de"].to_review) == ("reviewed", 0)
    # The state is the same "Draft" for all three: the review says what kind of draft.
    assert {cells[code].state for code in ("en", "fr", "de")} == {"draft"}
    html = response.content.decode()
    assert f'data-review="machine_only" data-to-review="{total}"' in html
    assert f"Machine translation only · {total} to review" in " ".join(html.split())
    assert f"Partly reviewed · {total - 1} to review" in " ".join(html.split())
    other = next(row for row in response.context["rows"] if row.article.pk == untouched.pk)
    assert other.cells[0].review is None  # nothing translated yet: nothing to review

    filtered = translator.get(DASHBOARD, {"state": "needs_review"})
    assert [row.article.pk for row in filtered.context["rows"]] == [article.pk]
    only_german = translator.get(DASHBOARD, {"state": "needs_review", "language": "de"})
    assert only_german.context["rows"] == []


def newsroom_of(index, locales, count, start=0):
    en, fr = locales["en"], locales["fr"]
    for n in range(start, start + count):
        article = small_article(index, n)
        # Every article has translations, in a mix of states, so no cell is trivially empty.
        if n % 3 == 0:
            translate(article, en, fr)
        elif n % 3 == 1:
            translate(article, en, machine=False)
        else:
            translate(article, fr)
            article.save_revision().publish()


def dashboard_queries(client, **query):
    # The query log keeps 9,000 entries: once full, a capture would count nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


QUERIES = [
    {},
    {"state": "in_progress"},
    {"language": "en", "state": "draft"},
    {"state": "needs_review"},
    {"p": "2"},
]


def test_the_query_count_does_not_grow_with_the_articles(
    translator,
    index,
    locales,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
    monkeypatch,
):
    # Pages of 8 rows: the first articles fit on one, then more than three times as many
    # fill a second, with fewer articles to make (each translation is a real
    # wagtail-localize sync: about a second per article).
    monkeypatch.setattr(DashboardView, "paginate_by", 8)
    with django_capture_on_commit_callbacks(execute=True):
        newsroom_of(index, locales, 5)
    translator.get(DASHBOARD)  # the first admin request warms per-process caches
    few = [dashboard_queries(translator, **query) for query in QUERIES]

    with django_capture_on_commit_callbacks(execute=True):
        newsroom_of(index, locales, 12, start=5)
    many = [dashboard_queries(translator, **query) for query in QUERIES]

    for query, (queries_few, rows_few), (queries_many, rows_many) in zip(
        QUERIES, few, many, strict=True
    ):
        assert rows_many > rows_few or query.get("p"), query
        assert queries_few > 0, query
        assert queries_many == queries_few, query
        with django_assert_max_num_queries(20):
            translator.get(DASHBOARD, query)
