"""Slugs keep every script readable: Hindi and Thai keep their vowel signs."""

from urllib.parse import quote, unquote

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.test.utils.form_data import nested_form_data, streamfield

from core.slugs import slugify_title, validate_slug, wagtail_client_slug
from home.models import StandardPage
from tests.conftest import translate_page
from tests.factories import StandardPageFactory, admin_add_url


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("हिंदी समाचार", "हिंदी-समाचार"),
        ("ข่าวภาษาไทย วันนี้", "ข่าวภาษาไทย-วันนี้"),
        ("月面に降り立った探査機", "月面に降り立った探査機"),
        ("中文新闻：月球探测", "中文新闻-月球探测"),
        ("한국어 뉴스 속보", "한국어-뉴스-속보"),
        ("Moon landing: 55 m!", "moon-landing-55-m"),
        ("Ｆｕｌｌ－width ＡＢＣ", "full-width-abc"),
        ("Café déjà vu", "café-déjà-vu"),
    ],
)
def test_titles_in_every_script_give_readable_slugs(title, slug):
    assert slugify_title(title) == slug
    validate_slug(slug)
    assert unquote(quote(slug)) == slug  # percent-encodes and decodes losslessly


def test_django_and_wagtail_lose_hindi_vowel_signs_but_ukiyo_does_not():
    from django.utils.text import slugify

    assert slugify("हिंदी", allow_unicode=True) == "हद"
    assert wagtail_client_slug("हिंदी") == "हद"
    assert slugify_title("हिंदी") == "हिंदी"


@pytest.mark.parametrize("title", ["🚀🌕", "!!!", "   ", "👩‍🚀 — 🛰️"])
def test_titles_without_letters_or_digits_give_no_slug(title):
    assert slugify_title(title) == ""


@pytest.mark.parametrize("slug", ["has space", "emoji-🚀", "-", "a/b", ""])
def test_invalid_slugs_are_refused(slug):
    with pytest.raises(ValidationError):
        validate_slug(slug)


def test_a_page_without_slug_gets_one_from_its_hindi_title(home, client):
    page = StandardPageFactory(parent=home, title="हिंदी समाचार", slug="")
    assert page.slug == "हिंदी-समाचार"
    response = client.get(page.url)
    assert response.status_code == 200
    assert quote("हिंदी-समाचार") in page.url


def test_an_emoji_only_title_without_slug_is_refused_clearly(home):
    page = StandardPage(title="🚀🌕", slug="")
    with pytest.raises(ValidationError) as error:
        home.add_child(instance=page)
    with translation.override("en"):  # the message is lazy: read it in English
        assert "no letters or digits" in str(error.value.message_dict["slug"])


def post_page(editor, parent, title, slug):
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "",
            "body": streamfield([]),
            "action-publish": "publish",
        }
    )
    return editor.post(admin_add_url(StandardPage, parent), data)


def test_admin_replaces_the_slug_its_script_broke(editor, home):
    title = "हिंदी समाचार"
    response = post_page(editor, home, title, wagtail_client_slug(title))
    assert response.status_code == 302
    assert StandardPage.objects.get(title=title).slug == "हिंदी-समाचार"


def test_admin_accepts_a_correctly_spelled_thai_slug(editor, home):
    response = post_page(editor, home, "ข่าว", "ข่าวภาษาไทย")
    assert response.status_code == 302
    assert StandardPage.objects.filter(slug="ข่าวภาษาไทย").exists()


def test_admin_explains_an_emoji_only_title_without_slug(editor, home):
    response = post_page(editor, home, "🚀🌕", "")
    assert response.status_code == 200
    assert "no letters or digits to build the page" in response.content.decode()
    assert not StandardPage.objects.filter(title="🚀🌕").exists()


def test_admin_explains_a_slug_clash_in_the_same_parent(editor, home):
    StandardPageFactory(parent=home, title="Terms", slug="terms")
    response = post_page(editor, home, "Terms again", "terms")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The slug &#x27;terms&#x27; is already in use within the parent page" in html
    assert "Terms again" in html  # the editor's input is kept
    assert StandardPage.objects.filter(slug="terms").count() == 1


def test_admin_refuses_a_slug_with_spaces_clearly(editor, home):
    response = post_page(editor, home, "Terms", "terms of service")
    assert response.status_code == 200
    assert "Use letters, digits and hyphens only" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "translated_slug"),
    [("en", "moon-landing"), ("hi", "चंद्रमा-पर-उतरना"), ("th", "ลงจอดบนดวงจันทร์")],
)
def test_a_translation_can_have_its_own_slug_in_its_own_script(
    client, home, index, locales, django_capture_on_commit_callbacks, language, translated_slug
):
    from wagtail_localize.models import (
        StringSegment,
        StringTranslation,
        Translation,
        TranslationSource,
    )

    from tests.factories import ArticlePageFactory

    translate_page(home, locales[language], title="Home")
    translate_page(index, locales[language], title="Articles")
    article = ArticlePageFactory(parent=index, title="月面着陸", slug="月面着陸")
    source, _ = TranslationSource.get_or_create_from_instance(article)
    translation = Translation.objects.create(source=source, target_locale=locales[language])
    for segment in StringSegment.objects.filter(source=source).select_related("context", "string"):
        text = translated_slug if segment.context.path == "slug" else f"T {segment.string.data}"
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=locales[language],
            context=segment.context,
            data=text,
        )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    translated = article.get_translation(locales[language])
    assert translated.slug == translated_slug
    assert client.get(translated.url).status_code == 200
    assert client.get(article.url).status_code == 200  # the Japanese slug is unchanged
