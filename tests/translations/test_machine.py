"""Machine translation is chosen by the environment; the offline translator is honest."""

import socket

import pytest
from django.conf import settings
from wagtail.models import Locale
from wagtail_localize.machine_translators import get_machine_translator
from wagtail_localize.strings import StringValue

from cms.settings.environment import DEEPL, LIBRETRANSLATE, OFFLINE, machine_translator_from_env
from translations.machine import OfflineTranslator


def test_without_a_service_the_offline_translator_is_chosen():
    assert machine_translator_from_env({}) == {"CLASS": OFFLINE, "OPTIONS": {}}


def test_blank_variables_count_as_unset():
    environ = {"DEEPL_API_KEY": "  ", "LIBRETRANSLATE_URL": ""}
    assert machine_translator_from_env(environ)["CLASS"] == OFFLINE


def test_a_deepl_key_chooses_deepl():
    config = machine_translator_from_env({"DEEPL_API_KEY": "abc:fx"})
    assert config == {"CLASS": DEEPL, "OPTIONS": {"AUTH_KEY": "abc:fx"}}


def test_deepl_wins_over_libretranslate():
    environ = {"DEEPL_API_KEY": "abc", "LIBRETRANSLATE_URL": "https://lt.example"}
    assert machine_translator_from_env(environ)["CLASS"] == DEEPL


def test_a_libretranslate_url_chooses_libretranslate_with_or_without_a_key():
    config = machine_translator_from_env({"LIBRETRANSLATE_URL": "https://lt.example/"})
    assert config == {
        "CLASS": LIBRETRANSLATE,
        "OPTIONS": {"LIBRETRANSLATE_URL": "https://lt.example", "API_KEY": ""},
    }
    environ = {"LIBRETRANSLATE_URL": "http://lt:5000", "LIBRETRANSLATE_API_KEY": "k"}
    assert machine_translator_from_env(environ)["OPTIONS"]["API_KEY"] == "k"


def test_a_timeout_reaches_either_service():
    environ = {"DEEPL_API_KEY": "abc", "MACHINE_TRANSLATION_TIMEOUT": "5"}
    assert machine_translator_from_env(environ)["OPTIONS"]["TIMEOUT"] == 5


def test_every_chosen_class_can_be_loaded(settings):
    for environ in ({}, {"DEEPL_API_KEY": "abc"}, {"LIBRETRANSLATE_URL": "http://lt"}):
        settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = machine_translator_from_env(environ)
        translator = type(get_machine_translator())
        path = f"{translator.__module__}.{translator.__name__}"
        assert path == settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR["CLASS"]


def test_the_test_settings_use_the_offline_translator():
    assert settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR["CLASS"] == OFFLINE
    assert isinstance(get_machine_translator(), OfflineTranslator)


@pytest.fixture
def ja_en_hi():
    return Locale(language_code="ja"), Locale(language_code="en"), Locale(language_code="hi")


def test_the_offline_translator_copies_every_string_unmarked(ja_en_hi, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the offline translator opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    ja, en, hi = ja_en_hi
    strings = [
        StringValue("月面基地"),
        StringValue("<b>着陸</b>に成功 &amp; 帰還"),
        StringValue(" 文の途中"),
        StringValue("NASA"),
    ]
    for target in (en, hi):
        translated = OfflineTranslator({}).translate(ja, target, strings)
        # Nothing is added: a segment right as it is ("NASA") is reviewed without editing.
        assert {key: value.data for key, value in translated.items()} == {
            string: string.data for string in strings
        }


def test_the_offline_translator_output_is_valid_translated_html(ja_en_hi):
    ja, en, _ = ja_en_hi
    string = StringValue('<a id="a1">出典</a>を参照')
    data = OfflineTranslator({}).translate(ja, en, [string])[string].data
    # What wagtail-localize checks before it stores a translation.
    assert StringValue.from_translated_html(data).data == data


def test_the_offline_translator_does_not_translate_into_the_same_language(ja_en_hi):
    ja, en, _ = ja_en_hi
    translator = OfflineTranslator({})
    assert translator.can_translate(ja, en)
    assert not translator.can_translate(en, Locale(language_code="en-gb"))
