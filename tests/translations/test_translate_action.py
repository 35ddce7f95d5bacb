"""One admin action translates a page, or a section, into every other language as drafts."""

import html
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments
from wagtail_localize.strings import StringValue

from news.models import ArticlePage, Category
from tests.conftest import translate_page
from tests.translations.reviewing import machine_segments, mark_reviewed
from translations.machine import OfflineTranslator


def action_url(page, **query):
    url = reverse("translations:translate_page", args=[page.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def submit(client, page, locales, *, machine=True, subpages=False, capture=None, **extra):
    data = {"locales": [locale.pk for locale in locales], **extra}
    if machine:
        data["machine_translate"] = "on"
    if subpages:
        data["include_subpages"] = "on"
    if capture is None:
        return client.post(action_url(page), data)
    with capture(execute=True):
        return client.post(action_url(page), data)


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def text_segments(instance):
    """Every translatable text of ``instance`` except its slug, which becomes a slug."""
    return [
        segment.string.data
        for segment in extract_segments(instance)
        if isinstance(segment, StringSegmentValue) and segment.path != "slug"
    ]


def body_json(page):
    return json.dumps(list(ArticlePage.objects.get(pk=page.pk).body.raw_data), sort_keys=True)


def test_the_form_offers_every_other_language_ticked(translator, article):
    response = translator.get(action_url(article))
    assert response.status_code == 200
    field = response.context["form"]["locales"]
    offered = [choice.data["value"].instance.language_code for choice in field]
    assert offered == ["en", "zh-hans", "es", "fr", "ko", "de", "th", "hi"]
    assert len(field.initial) == 8
    assert "machine_translate" in response.context["form"].fields
    # An article has no subpages: the checkbox would do nothing.
    assert "include_subpages" not in response.context["form"].fields


def test_a_link_can_preselect_one_language(translator, article, locales):
    response = translator.get(action_url(article, locale="fr"))
    assert response.context["form"]["locales"].initial == [locales["fr"].pk]
    response = translator.get(action_url(article, locale="xx"))
    assert len(response.context["form"]["locales"].initial) == 8


def test_an_article_becomes_machine_translated_drafts_in_two_languages(
    translator, article, locales, django_capture_on_commit_callbacks
):
    source_body = body_json(article)
    revisions = article.revisions.count()
    en, fr = locales["en"], locales["fr"]

    response = submit(translator, article, [en, fr], capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[article.get_parent().pk])
    assert any("2 translations created" in message for message in messages_of(response))
    for locale in (en, fr):
        page = article.get_translation(locale).specific
        assert page.live is False
        assert page.has_unpublished_changes is True
        assert page.alias_of_id is None
        # The offline translator copies the source, unmarked; the state is in the database.
        assert page.title == article.title
        texts = text_segments(page)
        assert texts == text_segments(article) and len(texts) > 10
        assert not any("[MT" in text for text in texts), texts
        assert machine_segments(locale).count() >= len(texts)
        assert not StringTranslation.objects.filter(locale=locale).exclude(
            translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE
        )
        # Synchronised fields are the source's; links point at the snippets' translations.
        # (to the millisecond: wagtail-localize copies it through JSON)
        assert abs(page.display_date - article.display_date).total_seconds() < 0.001
        assert page.category.locale == locale
        assert page.category.name == "宇宙"
        assert [a.author.locale for a in page.article_authors.all()] == [locale]
        translation = Translation.objects.get(
            source__object_id=article.translation_key, target_locale=locale
        )
        total, done = translation.get_progress()
        assert total == done > 0
    # Nothing was made in the languages that were not ticked.
    assert not article.get_translations().filter(locale=locales["de"]).exists()
    # The source is untouched.
    assert body_json(article) == source_body
    article.refresh_from_db()
    assert article.live and not article.has_unpublished_changes
    assert article.revisions.count() == revisions
    assert article.title == "月面基地の建設が始まる"


def test_without_machine_translation_the_drafts_hold_the_source_text(
    translator, article, locales, django_capture_on_commit_callbacks
):
    submit(
        translator,
        article,
        [locales["en"], locales["ko"]],
        machine=False,
        capture=django_capture_on_commit_callbacks,
    )
    for code in ("en", "ko"):
        page = article.get_translation(locales[code]).specific
        assert page.live is False
        assert page.title == article.title
        assert not StringTranslation.objects.filter(locale=locales[code]).exists()


def test_running_it_again_changes_nothing_that_is_up_to_date(
    translator, article, locales, django_capture_on_commit_callbacks
):
    en, fr = locales["en"], locales["fr"]
    submit(translator, article, [en, fr], capture=django_capture_on_commit_callbacks)
    pages = set(Page.objects.values_list("pk", flat=True))
    en_page = article.get_translation(en)
    revisions = en_page.revisions.count()

    response = submit(translator, article, [en, fr], capture=django_capture_on_commit_callbacks)

    assert set(Page.objects.values_list("pk", flat=True)) == pages
    assert en_page.revisions.count() == revisions
    assert Translation.objects.filter(source__object_id=article.translation_key).count() == 2
    assert any(
        "0 translations created" in m and "2 already up to date" in m for m in messages_of(response)
    )


def test_running_it_again_syncs_existing_translations_and_adds_new_languages(
    translator, article, locales, django_capture_on_commit_callbacks
):
    en, fr, th = locales["en"], locales["fr"], locales["th"]
    submit(translator, article, [en], capture=django_capture_on_commit_callbacks)
    # A translator corrects the title; the editor then changes the summary.
    source = TranslationSource.objects.get(object_id=article.translation_key)
    title_translation = StringTranslation.objects.get(
        locale=en, context__object_id=article.translation_key, context__path="title"
    )
    title_translation.data = "Construction of a lunar base begins"
    title_translation.translation_type = StringTranslation.TRANSLATION_TYPE_MANUAL
    title_translation.save()
    article.summary = "新しい要約。"
    article.save_revision().publish()

    response = submit(translator, article, [en, fr, th], capture=django_capture_on_commit_callbacks)

    assert any(
        "2 translations created" in m and "1 updated from the source" in m
        for m in messages_of(response)
    )
    source.refresh_from_db()
    assert json.loads(source.content_json)["summary"] == "新しい要約。"
    en_page = article.get_translation(en).specific
    assert en_page.title == "Construction of a lunar base begins"
    assert en_page.summary == "新しい要約。"
    assert machine_segments(en).filter(data="新しい要約。").exists()
    assert en_page.live is False
    assert article.get_translation(th).specific.summary == "新しい要約。"


def test_a_live_translation_is_not_changed_but_its_new_segments_are_ready(
    translator, article, locales, django_capture_on_commit_callbacks
):
    en = locales["en"]
    submit(translator, article, [en], capture=django_capture_on_commit_callbacks)
    en_page = article.get_translation(en)
    mark_reviewed(en)
    en_page.get_latest_revision().publish()
    en_page.refresh_from_db()
    live_title = en_page.title
    article.summary = "新しい要約。"
    article.save_revision().publish()

    response = submit(translator, article, [en], capture=django_capture_on_commit_callbacks)

    assert any("1 updated from the source" in m for m in messages_of(response))
    en_page.refresh_from_db()
    assert en_page.live and not en_page.has_unpublished_changes
    assert en_page.specific.summary != "新しい要約。"
    assert en_page.title == live_title
    # The translator finds the new segment machine-translated in the editor, to review.
    assert machine_segments(en).get().data == "新しい要約。"


def test_a_page_written_by_hand_in_a_language_is_left_alone(
    translator, article, locales, django_capture_on_commit_callbacks
):
    handmade = translate_page(article, locales["de"], title="Von Hand geschrieben")
    response = submit(
        translator,
        article,
        [locales["de"], locales["en"]],
        capture=django_capture_on_commit_callbacks,
    )
    handmade.refresh_from_db()
    assert handmade.title == "Von Hand geschrieben"
    assert any("1 page left alone (Deutsch)" in m for m in messages_of(response))
    assert machine_segments(locales["en"]).exists()


def test_a_whole_section_is_translated_parents_first(
    translator, index, article, locales, django_capture_on_commit_callbacks
):
    second = ArticlePage.objects.get(pk=article.pk).copy(
        update_attrs={"slug": "second", "title": "二つ目の記事"}
    )
    en, es = locales["en"], locales["es"]

    response = translator.get(action_url(index))
    assert "include_subpages" in response.context["form"].fields
    response = submit(
        translator, index, [en, es], subpages=True, capture=django_capture_on_commit_callbacks
    )

    assert any("6 translations created" in m for m in messages_of(response))
    for locale in (en, es):
        en_index = index.get_translation(locale)
        assert en_index.alias_of_id is None and not en_index.live
        for page in (article, second):
            translated = page.get_translation(locale)
            assert translated.get_parent().pk == en_index.pk
            assert translated.title == page.title
            assert not translated.live


def test_parents_missing_in_a_language_are_created(
    translator, article, locales, django_capture_on_commit_callbacks
):
    submit(translator, article, [locales["hi"]], capture=django_capture_on_commit_callbacks)
    hi_article = article.get_translation(locales["hi"])
    # wagtail-localize makes missing parents aliases; translating the parent converts them.
    assert hi_article.get_parent().alias_of_id == article.get_parent().pk
    submit(
        translator,
        article.get_parent(),
        [locales["hi"]],
        capture=django_capture_on_commit_callbacks,
    )
    assert Page.objects.get(pk=hi_article.pk).get_parent().alias_of_id is None


def test_a_snippet_translation_that_exists_is_reused_not_changed(
    translator, article, category, locales, django_capture_on_commit_callbacks
):
    en_category = category.copy_for_translation(locales["en"])
    en_category.name = "Space"
    en_category.save()
    submit(translator, article, [locales["en"]], capture=django_capture_on_commit_callbacks)
    en_category.refresh_from_db()
    assert en_category.name == "Space"
    assert article.get_translation(locales["en"]).specific.category == en_category
    assert Category.objects.filter(translation_key=category.translation_key).count() == 2


def test_a_failing_machine_translator_still_makes_the_drafts(
    translator, article, locales, monkeypatch, django_capture_on_commit_callbacks
):
    def fail(*args, **kwargs):
        raise ConnectionError("service unreachable")

    monkeypatch.setattr(OfflineTranslator, "translate", fail)
    response = submit(
        translator,
        article,
        [locales["en"], locales["fr"]],
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    page = article.get_translation(locales["en"])
    assert page.title == article.title and not page.live
    warnings = [m for m in messages_of(response) if "Machine translation of" in m]
    assert len(warnings) == 6  # the article, its category and its author, in two languages
    assert any("service unreachable" in m for m in warnings)


@pytest.mark.parametrize(
    ("locales_posted", "error"),
    [
        ([], "Choose at least one language."),
        (["999999"], "is not one of the site's languages."),
        (["abc"], "is not one of the site's languages."),
    ],
)
def test_bad_choices_are_form_errors(translator, article, locales_posted, error):
    response = translator.post(action_url(article), {"locales": locales_posted})
    assert response.status_code == 200
    # Read in the page the editor sees (rendered in their admin language, English).
    assert error in html.unescape(response.content.decode())
    assert not article.get_translations().exists()


def test_the_source_language_itself_is_not_a_choice(translator, article, locales):
    response = translator.post(action_url(article), {"locales": [locales["ja"].pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["locales"]


def test_unknown_pages_and_the_root_are_not_found(translator, root_page):
    for page_id in (999999, 10**20):
        url = reverse("translations:translate_page", args=[page_id])
        assert translator.get(url).status_code == 404
    assert translator.get(action_url(root_page)).status_code == 404
    assert translator.post(action_url(root_page), {}).status_code == 404


def editor_without(client, django_user_model, *, submit_translation, can_edit, page):
    user = django_user_model.objects.create_user(username="writer", password="pw")
    group = Group.objects.create(name="Writers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    if submit_translation:
        group.permissions.add(Permission.objects.get(codename="submit_translation"))
    if can_edit:
        GroupPagePermission.objects.create(
            group=group, page=page, permission=Permission.objects.get(codename="change_page")
        )
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("submit_translation", "can_edit", "allowed"),
    [(False, True, False), (True, False, False), (True, True, True)],
)
def test_only_editors_of_the_page_who_may_submit_translations_may_use_it(
    client, django_user_model, article, locales, submit_translation, can_edit, allowed
):
    client = editor_without(
        client,
        django_user_model,
        submit_translation=submit_translation,
        can_edit=can_edit,
        page=article.get_parent(),
    )
    response = client.get(action_url(article))
    post = client.post(action_url(article), {"locales": [locales["en"].pk]})
    if allowed:
        assert response.status_code == 200
        assert post.status_code == 302
        assert article.get_translations().filter(locale=locales["en"]).exists()
    else:
        # Wagtail's admin answers a refusal with its home page and a message.
        assert response.status_code == post.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
        assert len(messages_of(response)) == 1
        assert not article.get_translations().exists()
    explore = client.get(reverse("wagtailadmin_explore", args=[article.get_parent().pk]))
    assert (action_url(article) in explore.content.decode()) is allowed


def test_the_action_is_in_the_page_header_and_the_listing_menu(translator, article):
    url = action_url(article)
    explore = translator.get(reverse("wagtailadmin_explore", args=[article.get_parent().pk]))
    assert url in explore.content.decode()
    edit = translator.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))
    assert url in edit.content.decode()


def test_a_machine_translation_that_breaks_the_markup_is_kept_as_an_error_not_used(
    translator, article, locales, monkeypatch, django_capture_on_commit_callbacks
):
    def bad_links(self, source_locale, target_locale, strings):
        # A link the source does not have: wagtail-localize refuses to use such a translation.
        return {string: StringValue(f'<a id="a9">{string.data}</a>') for string in strings}

    monkeypatch.setattr(OfflineTranslator, "translate", bad_links)
    submit(translator, article, [locales["en"]], capture=django_capture_on_commit_callbacks)
    stored = StringTranslation.objects.filter(
        locale=locales["en"], context__object_id=article.translation_key
    )
    assert stored.exists() and all(translation.has_error for translation in stored)
    page = article.get_translation(locales["en"])
    assert page.title == article.title  # the source text, not the broken translation
