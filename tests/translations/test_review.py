"""Machine translation waits for a translator's review: state in the database, not in the text;
no path publishes it without review, unless someone allowed to says so, on the record."""

import html
import json
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken, GroupPagePermission, PageLogEntry
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.strings import StringValue

from news.models import ArticlePage
from tests.translations.reviewing import machine_segments, mark_reviewed
from translations.machine import OfflineTranslator
from translations.operations import PageTranslator
from translations.review import LOG_ACTION, UnreviewedMachineTranslation, unreviewed_in_page

MT_MARK = "[MT"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def machine_translate(article, *locales, translator=None):
    PageTranslator(locales, machine_translator=translator or OfflineTranslator({})).translate_page(
        ArticlePage.objects.get(pk=article.pk)
    )
    return [article.get_translation(locale).specific for locale in locales]


@pytest.fixture
def english(article, locales, english_tree):
    """The article machine-translated into English with the offline translator: a draft."""
    (page,) = machine_translate(article, locales["en"])
    return page


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def publish_in_editor(client, page, capture):
    """The translation editor's "Publish in <language>" (wagtail-localize publishes on commit)."""
    with capture(execute=True):
        return client.post(edit_url(page), {"action": "publish"})


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def segment_url(page, segment):
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=page.locale
    )
    return reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk])


def segments_of(page):
    return StringSegment.objects.filter(
        source__object_id=page.translation_key, source__locale__language_code="ja"
    ).select_related("string", "context")


def editor_props(response):
    """The translation editor's data (segments and their comments), as its React app reads it."""
    return html.unescape(response.content.decode())


# -- the state: in the database, never in the text ---------------------------------------------


def test_machine_translation_leaves_clean_text_and_a_machine_state(article, english):
    segments = segments_of(english)
    machine = machine_segments(english.locale).filter(context__object_id=english.translation_key)
    assert machine.count() == segments.count() > 10
    # The translator's name as it was when it ran (in the language then active).
    assert set(machine.values_list("tool_name", flat=True)) == {str(OfflineTranslator.display_name)}
    assert english.title == article.title
    assert MT_MARK not in json.dumps(list(english.body.raw_data), ensure_ascii=False)
    assert unreviewed_in_page(english) == segments.count()


def test_the_editor_says_which_segments_need_review_and_who_reviewed_the_others(
    translator, english, admin_user
):
    title = segments_of(english).get(context__path="title")
    # The editor's "Save" of a segment, its text unchanged (a form body, as the editor sends).
    response = translator.generic(
        "PUT",
        segment_url(english, title),
        f"value={title.string.data}".encode(),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response.json()["comment"] == (
        f"Translated or reviewed by {admin_user.get_username()} on {today}"
    )

    response = translator.get(edit_url(english))
    assert response.status_code == 200
    page = editor_props(response)
    # The translator's name is stored as it read when it ran (in the language then active).
    tool = machine_segments(english.locale).values_list("tool_name", flat=True).first()
    # The props are JSON, whose non-ASCII characters are escaped.
    assert json.dumps(f"Machine translation ({tool}, {today}): needs review")[1:-1] in page
    assert f"Translated or reviewed by {admin_user.get_username()} on {today}" in page
    assert page.count("needs review") == unreviewed_in_page(english)


def test_saving_a_segment_unchanged_reviews_it(translator, english):
    segment = segments_of(english).get(context__path="summary")
    before = unreviewed_in_page(english)
    response = translator.generic(
        "PUT",
        segment_url(english, segment),
        f"value={segment.string.data}".encode(),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code == 200
    saved = StringTranslation.objects.get(
        translation_of=segment.string, context=segment.context, locale=english.locale
    )
    assert saved.data == segment.string.data
    assert saved.translation_type == StringTranslation.TRANSLATION_TYPE_MANUAL
    assert unreviewed_in_page(english) == before - 1


# -- publishing is refused on every path ------------------------------------------------------


def test_the_translation_editor_refuses_to_publish_and_says_how_many_wait(
    translator, english, django_capture_on_commit_callbacks
):
    count = unreviewed_in_page(english)
    response = publish_in_editor(translator, english, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == edit_url(english)
    (message,) = messages_of(response)
    assert f"{count} machine-translated segments still need review" in message
    assert "Not published in English" in message
    english.refresh_from_db()
    assert not english.live
    # A superuser holds the override: the message leads to it.
    page = translator.get(edit_url(english)).content.decode()
    assert reverse("translations:publish_unreviewed", args=[english.pk]) in page


def test_after_review_the_translation_editor_publishes(
    translator, english, locales, django_capture_on_commit_callbacks
):
    mark_reviewed(locales["en"])
    response = publish_in_editor(translator, english, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    english.refresh_from_db()
    assert english.live
    assert not PageLogEntry.objects.filter(page=english, action=LOG_ACTION).exists()


def test_one_segment_left_is_enough_to_refuse(
    translator, english, locales, django_capture_on_commit_callbacks
):
    mark_reviewed(locales["en"])
    machine_segments_left = StringTranslation.objects.filter(
        locale=locales["en"], context__path="summary"
    )
    machine_segments_left.update(translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE)
    response = publish_in_editor(translator, english, django_capture_on_commit_callbacks)
    assert any(
        "1 machine-translated segment still needs review" in m for m in messages_of(response)
    )
    english.refresh_from_db()
    assert not english.live


def test_revision_publish_api_and_scheduling_are_refused(client, english, admin_user):
    revision = english.get_latest_revision()
    with pytest.raises(UnreviewedMachineTranslation) as refused:
        revision.publish(user=admin_user)
    assert refused.value.count == unreviewed_in_page(english)
    with pytest.raises(UnreviewedMachineTranslation):
        revision.publish()  # code without a user has no override either

    _, token = APIToken.create_token(user=admin_user, name="frontend")
    response = client.post(
        f"/api/v3/pages/{english.pk}/actions/publish/",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403, response.content
    assert "still need review" in response.content.decode()

    # A v3 write that publishes: the same refusal, nothing published.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    current = client.get(f"/api/v3/pages/{english.pk}/", {"version": "draft"}, **auth)
    assert current.status_code == 200, current.content
    response = client.patch(
        f"/api/v3/pages/{english.pk}/",
        json.dumps({"meta": {"type": "news.ArticlePage", "action": "publish"}}),
        content_type="application/json",
        HTTP_IF_MATCH=current["ETag"],
        **auth,
    )
    assert response.status_code == 403, response.content
    assert "still need review" in response.content.decode()
    english.refresh_from_db()
    assert not english.live

    # Scheduling is publishing: refused when asked, so nothing is ever scheduled unreviewed.
    english.go_live_at = timezone.now() + timedelta(days=1)
    with pytest.raises(UnreviewedMachineTranslation):
        english.save_revision(user=admin_user).publish(user=admin_user)
    english.refresh_from_db()
    assert not english.live


def test_a_scheduled_publication_checked_when_scheduled_goes_live(english, admin_user, locales):
    mark_reviewed(locales["en"])
    english.go_live_at = timezone.now() + timedelta(seconds=2)
    english.save_revision(user=admin_user).publish(user=admin_user)
    english.refresh_from_db()
    assert not english.live and english.revisions.filter(approved_go_live_at__isnull=False)
    # A sync machine-translates a new segment meanwhile: the scheduled revision is the one that
    # was checked, and publish_scheduled has nobody to ask, so it goes live as scheduled.
    StringTranslation.objects.filter(locale=locales["en"], context__path="summary").update(
        translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE
    )
    time.sleep(max(0, (english.go_live_at - timezone.now()).total_seconds()) + 0.1)
    call_command("publish_scheduled")
    english.refresh_from_db()
    assert english.live


def test_bulk_publish_leaves_unreviewed_translations_out(translator, english, locales):
    url = (
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
        + f"?id={english.pk}"
    )
    response = translator.get(url)
    assert response.status_code == 200
    assert response.context["items_with_no_access"]
    assert not response.context["items"]
    response = translator.post(url, {"include_descendants": ""})
    english.refresh_from_db()
    assert not english.live

    mark_reviewed(locales["en"])
    response = translator.post(url, {"include_descendants": ""})
    english.refresh_from_db()
    assert english.live


def test_bulk_publish_of_a_section_skips_unreviewed_drafts_below_it(
    translator, article, english, locales
):
    en_index = english.get_parent()
    machine_translate(article, locales["fr"])
    url = (
        reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
        + f"?id={en_index.pk}"
    )
    translator.post(url, {"include_descendants": "on"})
    english.refresh_from_db()
    assert not english.live  # below the index, unreviewed: skipped, no error


# -- the override: permitted, explicit, on the record ---------------------------------------


def test_the_override_publishes_and_is_logged_in_the_history(translator, english, admin_user):
    count = unreviewed_in_page(english)
    url = reverse("translations:publish_unreviewed", args=[english.pk])
    response = translator.get(url)
    assert response.status_code == 200
    assert f"{count} machine-translated segments" in response.content.decode()
    english.refresh_from_db()
    assert not english.live  # asking is not publishing

    response = translator.post(url)
    assert response.status_code == 302
    english.refresh_from_db()
    assert english.live
    entry = PageLogEntry.objects.get(page=english, action=LOG_ACTION)
    assert entry.data == {"count": count}
    assert entry.user == admin_user
    history = translator.get(reverse("wagtailadmin_pages:history", args=[english.pk]))
    assert (
        f"Published with {count} machine-translated segments nobody had reviewed"
        in history.content.decode()
    )


@pytest.fixture
def publisher(client, django_user_model, english, home):
    """An editor who may publish every page but has no override permission."""
    group = Group.objects.create(name="Publishers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=home.get_parent(),
            permission=Permission.objects.get(codename=permission),
        )
    user = django_user_model.objects.create_user(username="publisher", password="pw")
    user.groups.add(group)
    client.force_login(user)
    return client, user, group


def test_without_the_permission_there_is_no_override(
    publisher, english, django_capture_on_commit_callbacks
):
    client, _user, _group = publisher
    url = reverse("translations:publish_unreviewed", args=[english.pk])
    # Wagtail's admin answers a refusal with its "no permission" redirect.
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    response = publish_in_editor(client, english, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    english.refresh_from_db()
    assert not english.live
    assert url not in client.get(edit_url(english)).content.decode()


def test_the_permission_can_be_given_to_a_group(publisher, english):
    client, _user, group = publisher
    group.permissions.add(Permission.objects.get(codename="publish_unreviewed_machine_translation"))
    url = reverse("translations:publish_unreviewed", args=[english.pk])
    assert client.post(url).status_code == 302
    english.refresh_from_db()
    assert english.live
    assert PageLogEntry.objects.filter(page=english, action=LOG_ACTION).exists()


def test_the_permission_is_listed_in_the_group_editor(translator):
    response = translator.get(reverse("wagtailusers_groups:add"))
    assert "Can publish unreviewed machine translations" in response.content.decode()


# -- the state survives a source update and a sync --------------------------------------------


def test_machine_state_survives_a_source_update_and_a_sync(article, english, locales):
    en = locales["en"]
    summary = segments_of(english).get(context__path="summary")
    reviewed = StringTranslation.objects.get(
        translation_of=summary.string, context=summary.context, locale=en
    )
    reviewed.data = "What happened, in two sentences."
    reviewed.translation_type = StringTranslation.TRANSLATION_TYPE_MANUAL
    reviewed.save()
    before = unreviewed_in_page(english)

    source = ArticlePage.objects.get(pk=article.pk)
    source.title = "月面基地の建設が始まる(訂正)"
    source.save_revision().publish()

    # Without machine translation: the changed title has no translation; everything else
    # keeps its state (machine stays machine, the reviewed summary stays reviewed).
    PageTranslator([en]).translate_page(ArticlePage.objects.get(pk=article.pk))
    english.refresh_from_db()
    assert unreviewed_in_page(english) == before - 1
    reviewed.refresh_from_db()
    assert reviewed.translation_type == StringTranslation.TRANSLATION_TYPE_MANUAL

    # With it: the new title is machine-translated, to review like the rest.
    machine_translate(article, en)
    assert unreviewed_in_page(english) == before
    title = segments_of(english).get(context__path="title")
    assert (
        StringTranslation.objects.get(
            translation_of=title.string, context=title.context, locale=en
        ).translation_type
        == StringTranslation.TRANSLATION_TYPE_MACHINE
    )


def test_machine_state_survives_wagtail_localizes_own_sync(translator, article, english, locales):
    before = unreviewed_in_page(english)
    source = ArticlePage.objects.get(pk=article.pk)
    source.summary = "新しい要約。"
    source.save_revision().publish()
    translation = Translation.objects.get(
        source__object_id=article.translation_key, target_locale=locales["en"]
    )
    response = translator.post(
        reverse("wagtail_localize:update_translations", args=[translation.source_id]),
        {"publish_translations": ""},
    )
    assert response.status_code == 302
    # The old summary's machine translation no longer counts (its segment is gone); every
    # other segment is still machine translation to review.
    assert unreviewed_in_page(english) == before - 1
    assert not machine_segments(locales["en"]).filter(data="新しい要約。").exists()


def test_sync_and_publish_publishes_only_what_was_reviewed(
    translator, article, english, locales, django_capture_on_commit_callbacks
):
    (french,) = machine_translate(article, locales["fr"])
    mark_reviewed(locales["fr"])
    source = ArticlePage.objects.get(pk=article.pk)
    source.summary = "新しい要約。"
    source.save_revision().publish()
    translation = Translation.objects.get(
        source__object_id=article.translation_key, target_locale=locales["en"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = translator.post(
            reverse("wagtail_localize:update_translations", args=[translation.source_id]),
            {"publish_translations": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] != reverse("wagtailadmin_home")
    english.refresh_from_db()
    french.refresh_from_db()
    assert not english.live  # machine segments to review: saved as a draft
    # French was reviewed; its changed summary has no translation, so it stays the old one.
    assert french.live


# -- slugs --------------------------------------------------------------------------------------


class ServiceLikeTranslator(OfflineTranslator):
    """What a real service returns: words, not slugs."""

    display_name = "A service"

    def translate(self, source_locale, target_locale, strings):
        words = {
            "moon-base": "Asteroid probe sample capsule to Earth",
        }
        return {
            string: StringValue(words.get(string.data, f"Translated: {string.data}"))
            for string in strings
        }


def test_a_machine_translated_slug_becomes_a_slug(index, category, locales, english_tree):
    from tests.factories import full_article

    article = full_article(
        index, title="小惑星探査機試料カプセルを地球へ", slug="moon-base", category=category
    )
    (english,) = machine_translate(article, locales["en"], translator=ServiceLikeTranslator({}))
    assert english.slug == "asteroid-probe-sample-capsule-to-earth"
    slug = segments_of(english).get(context__path="slug")
    stored = StringTranslation.objects.get(
        translation_of=slug.string, context=slug.context, locale=locales["en"]
    )
    assert stored.data == "asteroid-probe-sample-capsule-to-earth"
    assert stored.translation_type == StringTranslation.TRANSLATION_TYPE_MACHINE


def test_wagtail_localizes_machine_translate_button_makes_slugs_too(
    translator, index, category, locales, english_tree, settings
):
    from tests.factories import full_article

    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
        "CLASS": f"{__name__}.ServiceLikeTranslator",
        "OPTIONS": {},
    }
    article = full_article(index, title="小惑星探査機", slug="moon-base", category=category)
    (english,) = machine_translate(article, locales["en"])
    StringTranslation.objects.filter(locale=locales["en"]).delete()
    translation = Translation.objects.get(
        source__object_id=article.translation_key, target_locale=locales["en"]
    )
    response = translator.post(reverse("wagtail_localize:machine_translate", args=[translation.pk]))
    assert response.status_code == 302
    slug = segments_of(english).get(context__path="slug")
    assert (
        StringTranslation.objects.get(
            translation_of=slug.string, context=slug.context, locale=locales["en"]
        ).data
        == "asteroid-probe-sample-capsule-to-earth"
    )


# -- readers and the API ----------------------------------------------------------------------


def test_readers_and_the_api_see_nothing_unreviewed_then_clean_text(
    client, translator, article, english, locales, django_capture_on_commit_callbacks
):
    def everything_public():
        pages = [
            client.get("/api/v2/pages/?locale=en&type=news.ArticlePage&fields=*"),
            client.get(f"/api/v2/pages/{english.pk}/"),
            client.get("/api/v3/pages/?locale=en&type=news.ArticlePage"),
            client.get(f"/api/v3/pages/{english.pk}/"),
        ]
        return pages

    publish_in_editor(translator, english, django_capture_on_commit_callbacks)
    english.refresh_from_db()
    assert not english.live
    v2_list, v2_detail, v3_list, v3_detail = everything_public()
    assert v2_list.json()["meta"]["total_count"] == 0, v2_list.content
    assert v2_detail.status_code == 404
    assert v3_list.json()["items"] == []
    assert v3_detail.status_code == 404
    assert client.get(f"/en/{english.get_parent().slug}/{english.slug}/").status_code == 404

    mark_reviewed(locales["en"])
    publish_in_editor(translator, english, django_capture_on_commit_callbacks)
    english.refresh_from_db()
    assert english.live
    responses = [client.get(english.url), *everything_public()]
    for response in responses:
        assert response.status_code == 200, response.request
        assert MT_MARK not in response.content.decode()
    assert responses[1].json()["meta"]["total_count"] == 1
    assert [item["id"] for item in responses[3].json()["items"]] == [english.pk]
