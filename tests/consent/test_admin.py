"""Editors manage consent in the admin: the policy version, the scripts, the banner texts."""

import html

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from consent.models import ConsentSettings, ConsentTexts

from .conftest import ANALYTICS_CODE


def settings_url(site):
    return reverse("wagtailsettings:edit", args=["consent", "consentsettings", site.pk])


def settings_form(version="1", scripts=()):
    return nested_form_data({"policy_version": version, "scripts": streamfield(list(scripts))})


def errors(response):
    return html.unescape(response.content.decode())


def test_the_settings_are_in_the_admin_menu_and_open(editor, site):
    menu = html.unescape(editor.get(reverse("wagtailadmin_home")).content.decode())
    assert reverse("wagtailsettings:edit", args=["consent", "consentsettings"]) in menu
    assert "/admin/snippets/consent/consenttexts/" in menu
    response = editor.get(settings_url(site))
    assert response.status_code == 200
    assert 'name="policy_version"' in response.content.decode()


def test_an_editor_adds_a_script_and_raises_the_version(editor, client, site):
    data = settings_form(
        "2",
        [
            (
                "script",
                {
                    "category": "analytics",
                    "name": "Counter",
                    "code": ANALYTICS_CODE,
                    "cookies": "_test_analytics\n_ga*",
                },
            )
        ],
    )
    response = editor.post(settings_url(site), data)
    assert response.status_code == 302
    saved = ConsentSettings.for_site(site)
    assert saved.policy_version == 2
    assert saved.cookie_patterns()["analytics"] == ["_test_analytics", "_ga*"]
    page = client.get("/ja/").content.decode()
    assert 'data-version="2"' in page
    assert "__analyticsRan" in page
    # The saved script opens again for editing.
    again = editor.get(settings_url(site))
    assert again.status_code == 200
    assert "_test_analytics\\n_ga*" in html.unescape(again.content.decode())


@pytest.mark.parametrize(
    ("cookies", "message"),
    [
        ("_ga; path=/", "Not a cookie name: _ga; path=/."),
        ("*", "Not a cookie name: *."),
        ("ukiyo_*", "never deleted: ukiyo_consent, ukiyo_device, ukiyo_language."),
        ("csrftoken", "never deleted: csrftoken."),
    ],
)
def test_cookie_names_that_cannot_be_or_must_not_be_deleted_are_refused(
    editor, site, cookies, message
):
    data = settings_form(
        "5",
        [("script", {"category": "marketing", "name": "Ads", "code": "x()", "cookies": cookies})],
    )
    response = editor.post(settings_url(site), data)
    assert response.status_code == 200
    assert message in errors(response)
    assert ConsentSettings.for_site(site).policy_version == 1
    assert cookies in response.content.decode()  # what the editor typed is still there


@pytest.mark.parametrize("version", ["0", "-1", "abc", "1000000000"])
def test_a_version_that_is_not_a_positive_number_is_refused(editor, site, version):
    response = editor.post(settings_url(site), settings_form(version))
    assert response.status_code == 200
    assert ConsentSettings.for_site(site).policy_version == 1


def test_a_script_needs_a_category_name_and_code(editor, site):
    data = settings_form("2", [("script", {"category": "", "name": "", "code": "", "cookies": ""})])
    response = editor.post(settings_url(site), data)
    assert response.status_code == 200
    assert "This field is required." in errors(response)
    assert ConsentSettings.for_site(site).policy_version == 1


TEXTS_ADD = "/admin/snippets/consent/consenttexts/add/?locale={language}"


def texts_form(site, title="クッキーの利用について", text="当サイトはクッキーを使います。"):
    form = {"site": str(site.pk), "title": title, "text": text}
    for category in ("essential", "analytics", "marketing", "functional"):
        form[f"{category}_description"] = ""
    return form


def test_an_editor_writes_the_banner_texts_of_a_language(editor, client, site, locales):
    assert editor.get("/admin/snippets/consent/consenttexts/").status_code == 200
    response = editor.post(TEXTS_ADD.format(language="ja"), texts_form(site))
    assert response.status_code == 302
    texts = ConsentTexts.objects.get()
    assert texts.locale == locales["ja"] and texts.site == site
    assert "クッキーの利用について" in client.get("/ja/").content.decode()


def test_a_second_set_of_texts_for_the_same_site_and_language_is_refused_clearly(
    editor, site, locales
):
    ConsentTexts.objects.create(site=site, locale=locales["ja"], title="既存")
    response = editor.post(TEXTS_ADD.format(language="ja"), texts_form(site, title="二つ目"))
    assert response.status_code == 200
    assert "This site already has cookie banner texts in this language" in errors(response)
    assert ConsentTexts.objects.count() == 1
    assert "二つ目" in response.content.decode()


def test_the_texts_open_for_editing_and_for_translation(editor, site, locales):
    texts = ConsentTexts.objects.create(site=site, locale=locales["ja"], title="既存")
    edit = editor.get(f"/admin/snippets/consent/consenttexts/edit/{texts.pk}/")
    assert edit.status_code == 200 and "既存" in edit.content.decode()
    translate = editor.get(
        reverse(
            "wagtail_localize:submit_snippet_translation",
            args=["consent", "consenttexts", texts.pk],
        )
    )
    assert translate.status_code == 200
    assert "English" in translate.content.decode()


def translate_snippet(instance, locale, strings):
    """Translate ``instance`` through wagtail-localize, as a translator would."""
    source, _ = TranslationSource.get_or_create_from_instance(instance)
    translation = Translation.objects.create(source=source, target_locale=locale, enabled=True)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            data=strings[segment.string.data],
        )
    translation.save_target(publish=True)
    return instance.get_translation(locale)


def test_translators_translate_the_texts_and_the_site_follows_the_source(
    client, home, english_tree, site, locales
):
    texts = ConsentTexts.objects.create(
        site=site,
        locale=locales["ja"],
        title="クッキーの利用について",
        analytics_description="閲覧数を数えます。",
    )
    english = translate_snippet(
        texts,
        locales["en"],
        {"クッキーの利用について": "About cookies", "閲覧数を数えます。": "We count visits."},
    )
    assert english.site == site and english.title == "About cookies"
    assert "About cookies" in client.get("/en/").content.decode()
    assert "We count visits." in client.get("/en/cookie-settings/").content.decode()
    assert "クッキーの利用について" in client.get("/ja/").content.decode()
