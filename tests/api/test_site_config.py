"""``/api/v3/site-config/``: the site's name, languages, time zone and date formats, public.

A frontend prints dates as the reader site does from this alone: the examples are what the
site's own pages print, and the LDML patterns, formatted by ICU, print the same.
"""

import datetime

import icu
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import dateformat, timezone, translation
from wagtail.models import Site

from api.v3.site_config import ldml_pattern
from tests.conftest import translate_page
from tests.factories import ArticlePageFactory

URL = "/api/v3/site-config/"
MOMENT = datetime.datetime(2025, 6, 22, 5, 15, tzinfo=datetime.UTC)
# Zero-padding and a day that is another day in Tokyo (the 6th, 08:59).
OTHER_MOMENT = datetime.datetime(2024, 1, 5, 23, 59, 7, tzinfo=datetime.UTC)


@pytest.fixture
def config(client, home):
    response = client.get(URL)
    assert response.status_code == 200, response.content
    return response.json()


def test_anyone_reads_it_without_a_token_and_caches_may_keep_it(client, home):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "public, max-age=300, s-maxage=3600"
    assert "Authorization" in response["Vary"]
    again = client.get(URL, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_it_names_the_site_and_its_address_and_logo(client, home):
    Site.objects.filter(is_default_site=True).update(site_name="The Ukiyo Times")

    config = client.get(URL).json()

    assert config["name"] == "The Ukiyo Times"
    assert config["html_url"] == "http://testserver/"
    assert config["logo_url"] == "http://testserver/static/img/favicon.svg"
    assert config["default_language"] == "ja"
    assert config["time_zone"] == "Asia/Tokyo"
    assert config["calendar"] == "gregory"


@override_settings(UKIYO_ORGANIZATION_LOGO="https://cdn.news.example/logo.png")
def test_a_logo_of_its_own_is_given_as_it_is_configured(client, home):
    assert client.get(URL).json()["logo_url"] == "https://cdn.news.example/logo.png"


def test_every_language_in_the_site_order_with_its_names_and_direction(config):
    languages = config["languages"]

    assert [(item["code"], item["native_name"]) for item in languages] == [
        (code, str(name)) for code, name in settings.LANGUAGES
    ]
    names = {item["code"]: item["name"] for item in languages}
    assert (names["ja"], names["zh-hans"], names["th"], names["hi"]) == (
        "Japanese",
        "Simplified Chinese",
        "Thai",
        "Hindi",
    )
    assert {item["direction"] for item in languages} == {"ltr"}


def test_the_date_formats_of_each_language(config):
    formats = {item["code"]: item["date_formats"] for item in config["languages"]}

    assert formats["ja"] == {
        "datetime": {
            "ldml": "yyyy年M月d日 HH:mm",
            "django": "Y年n月j日 H:i",
            "example": "2025年6月22日 14:15",
        },
        "date": {"ldml": "yyyy年M月d日", "django": "Y年n月j日", "example": "2025年6月22日"},
        "short_date": {"ldml": "yyyy/MM/dd", "django": "Y/m/d", "example": "2025/06/22"},
    }
    assert formats["en"]["datetime"] == {
        "ldml": "MMMM d, yyyy, HH:mm",
        "django": "F j, Y, H:i",
        "example": "June 22, 2025, 14:15",
    }
    assert formats["es"]["date"] == {
        "ldml": "d 'de' MMMM 'de' yyyy",
        "django": "j \\d\\e F \\d\\e Y",
        "example": "22 de junio de 2025",
    }
    assert formats["th"]["datetime"]["example"] == "22 มิถุนายน 2025, 14:15"
    assert formats["ko"]["short_date"]["example"] == "2025. 6. 22."


@pytest.mark.parametrize("moment", [MOMENT, OTHER_MOMENT])
def test_icu_writes_each_pattern_as_the_site_writes_its_format(config, moment):
    assert config["calendar"] == "gregory"  # BCP 47's name; ICU's is "gregorian"
    zone = icu.TimeZone.createTimeZone(config["time_zone"])
    for language in config["languages"]:
        code = language["code"]
        # Thai's default calendar in ICU (and Intl) is the Buddhist one: the site's is not.
        locale = icu.Locale(f"{translation.to_locale(code)}@calendar=gregorian")
        for kind, date_format in language["date_formats"].items():
            formatter = icu.SimpleDateFormat(date_format["ldml"], locale)
            formatter.setTimeZone(zone)
            with translation.override(code):
                expected = dateformat.format(timezone.localtime(moment), date_format["django"])
            assert formatter.format(moment.timestamp()) == expected, (code, kind)
            if moment == MOMENT:
                assert date_format["example"] == expected, (code, kind)


def test_the_examples_are_what_the_reader_site_prints(client, home, index, english_tree, locales):
    article = ArticlePageFactory(parent=index, title="月面着陸", slug="moon", display_date=MOMENT)
    english = translate_page(article, locales["en"], title="Moon landing")
    formats = {
        item["code"]: item["date_formats"]["datetime"]["example"]
        for item in client.get(URL).json()["languages"]
    }

    for page, code in ((article, "ja"), (english, "en")):
        html = client.get(page.url).content.decode()
        assert f">{formats[code]}</time>" in html, code


@override_settings(TIME_ZONE="Europe/Paris")
def test_the_time_zone_and_examples_follow_the_setting(client, home):
    config = client.get(URL).json()

    assert config["time_zone"] == "Europe/Paris"
    [japanese] = [item for item in config["languages"] if item["code"] == "ja"]
    assert japanese["date_formats"]["datetime"]["example"] == "2025年6月22日 07:15"


@pytest.mark.parametrize("query", ["?locale=en", "?x=%00", "?%00=1"])
def test_a_parameter_it_does_not_read_is_a_400_problem(client, home, query):
    response = client.get(URL + query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_it_is_read_only(client, home):
    assert client.post(URL, {}, content_type="application/json").status_code == 405


def test_a_token_is_not_needed_and_a_bad_one_changes_nothing(client, home):
    response = client.get(URL, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_openapi_document_types_it_with_an_optional_token(client, db):
    document = client.get("/api/v3/openapi.json").json()

    operation = document["paths"][URL]["get"]
    assert operation["operationId"] == "site_config"
    assert operation["security"] == [{"BearerTokenAuth": []}, {}]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/SiteConfig"}
    schemas = document["components"]["schemas"]
    assert set(schemas["SiteConfig"]["required"]) == {
        "name",
        "html_url",
        "logo_url",
        "default_language",
        "time_zone",
        "calendar",
        "languages",
    }
    assert schemas["SiteLanguage"]["properties"]["direction"]["enum"] == ["ltr", "rtl"]


@pytest.mark.parametrize(
    ("django_format", "pattern"),
    [
        ("Y年n月j日 H:i", "yyyy年M月d日 HH:mm"),
        ("D, d M y, g:i A", "EEE, dd MMM yy, h:mm a"),
        ("l \\o\\f F", "EEEE 'of' MMMM"),
        ("\\'y", "''''yy"),
    ],
)
def test_a_django_format_as_an_ldml_pattern(django_format, pattern):
    assert ldml_pattern(django_format) == pattern


def test_a_format_ldml_cannot_write_is_refused_rather_than_written_otherwise():
    with pytest.raises(ValueError, match="'U'"):
        ldml_pattern("U")
