"""``/api/v3/site-config/``: what a frontend needs to look and write like the reader site.

The site's name, address and logo, its languages (named in English and in themselves, with
their writing direction), the default language, the time zone dates are shown in and how each
language writes a date. Public and the same for every caller, so that a frontend never
hard-codes ``Asia/Tokyo`` or a month name: cached like categories and authors
(``api.caching``), built from the settings and the request's site without reading content.
"""

import datetime
import re
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from ninja import Field, Router, Schema
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth
from wagtail.api.v3.errors import ProblemDetail

from api.params import refuse_unknown_parameters
from core.links import absolute_media_url, api_base
from core.sites import request_site

# The moment each language's ``example`` writes (a Sunday afternoon in Tokyo).
EXAMPLE_MOMENT = datetime.datetime(2025, 6, 22, 5, 15, tzinfo=datetime.UTC)

# Django's date format characters and the Unicode (LDML) pattern field of the same meaning.
# Only these are used by the site's formats (``FORMAT_MODULE_PATH``); another one is an error
# of the configuration, found by the tests, rather than a pattern that writes something else.
LDML_FIELDS = {
    "d": "dd",  # day of the month, 2 digits
    "j": "d",  # day of the month
    "D": "EEE",  # weekday, abbreviated
    "l": "EEEE",  # weekday
    "m": "MM",  # month, 2 digits
    "n": "M",  # month
    "M": "MMM",  # month name, abbreviated
    "F": "MMMM",  # month name
    "E": "MMMM",  # month name as some languages write it inside a date
    "y": "yy",  # year, 2 digits
    "Y": "yyyy",  # year, 4 digits
    "H": "HH",  # hour 00-23
    "G": "H",  # hour 0-23
    "h": "hh",  # hour 01-12
    "g": "h",  # hour 1-12
    "i": "mm",  # minutes
    "s": "ss",  # seconds
    "A": "a",  # AM/PM
    "a": "a",
}
# Every character Django reads as a field; any other character is written as it is.
DJANGO_FIELDS = frozenset("aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTuUwWyYzZ")
# What LDML reads as a field or a quote, in text.
_LDML_RESERVED = re.compile(r"[A-Za-z']+")


def ldml_pattern(django_format):
    """``django_format`` (``"Y年n月j日 H:i"``) as an LDML date pattern (``"yyyy年M月d日 HH:mm"``).

    Text is quoted where LDML would read it as a field (ASCII letters, the quote itself):
    Spanish ``j \\d\\e F`` becomes ``d 'de' MMMM``.
    """
    pieces, text = [], ""
    characters = iter(django_format)
    for char in characters:
        if char == "\\":  # the next character is text
            text += next(characters, "")
        elif char not in DJANGO_FIELDS:
            text += char
        elif char in LDML_FIELDS:
            pieces += [_ldml_text(text), LDML_FIELDS[char]]
            text = ""
        else:
            raise ValueError(
                f"The date format {django_format!r} uses {char!r}, which has no LDML field."
            )
    pieces.append(_ldml_text(text))
    return "".join(pieces)


def _ldml_text(text):
    return _LDML_RESERVED.sub(lambda match: "'" + match[0].replace("'", "''") + "'", text)


class DateFormat(Schema):
    ldml: str = Field(
        description="As a Unicode (LDML) date pattern, for date-fns, Luxon, ICU, Java, Swift, "
        "Kotlin...: `yyyy年M月d日 HH:mm`. Use the Gregorian calendar (`calendar`)."
    )
    django: str = Field(
        description="As the site writes it (a Django date format): `Y年n月j日 H:i`."
    )
    example: str = Field(
        description="2025-06-22T05:15:00Z written with it in the site's time zone, as the "
        "reader site writes it: `2025年6月22日 14:15`."
    )


class DateFormats(Schema):
    datetime: DateFormat = Field(description="An article's publication and update dates.")
    date: DateFormat = Field(description="A day: a reference's publication date.")
    short_date: DateFormat = Field(description="A day, in little space.")


class SiteLanguage(Schema):
    code: str = Field(description="As in `?locale=` and `meta.locale`: `ja`, `zh-hans`...")
    name: str = Field(description="Its name in English.")
    native_name: str = Field(description="Its name in itself, as the language menu shows it.")
    direction: Literal["ltr", "rtl"] = Field(description="Its writing direction (`dir`).")
    date_formats: DateFormats


class SiteConfig(Schema):
    name: str = Field(description="The site's name, as its header and page titles show it.")
    html_url: str = Field(
        description="The site's address for readers: it sends each to their language."
    )
    logo_url: str = Field(description="The publisher's logo, as search engines are given it.")
    default_language: str = Field(
        description="The newsroom's source language: a path without a language prefix, and a "
        "reader whose language the site does not speak, get it."
    )
    time_zone: str = Field(
        description="The IANA time zone the site writes dates in (`Asia/Tokyo`); the API's "
        "date-times carry their offset."
    )
    calendar: Literal["gregory"] = Field(
        description="The calendar of the site's dates (BCP 47): Thai readers too see Gregorian "
        "years, though Thai's default in ICU and `Intl` is Buddhist."
    )
    languages: list[SiteLanguage] = Field(description="Every language, in the site's order.")


def date_formats(code, zone):
    moment = timezone.localtime(EXAMPLE_MOMENT, zone)
    with translation.override(code):
        formats = {}
        for field, setting in (
            ("datetime", "DATETIME_FORMAT"),
            ("date", "DATE_FORMAT"),
            ("short_date", "SHORT_DATE_FORMAT"),
        ):
            django = get_format(setting, lang=code)
            formats[field] = {
                "ldml": ldml_pattern(django),
                "django": django,
                "example": date_format(moment, setting),
            }
    return formats


def site_config(request):
    site = request_site(request)
    zone = timezone.get_default_timezone()
    languages = []
    for code, native_name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        languages.append(
            {
                "code": code,
                "name": info["name"],
                "native_name": str(native_name),
                "direction": "rtl" if info["bidi"] else "ltr",
                "date_formats": date_formats(code, zone),
            }
        )
    return {
        "name": (site and site.site_name) or settings.WAGTAIL_SITE_NAME,
        "html_url": (site.root_url if site else api_base()) + "/",
        "logo_url": absolute_media_url(
            settings.UKIYO_ORGANIZATION_LOGO or static("img/favicon.svg")
        ),
        "default_language": settings.LANGUAGE_CODE,
        "time_zone": settings.TIME_ZONE,
        "calendar": "gregory",
        "languages": languages,
    }


router = Router(tags=["site"])


@router.get(
    "/",
    response={200: SiteConfig, 400: ProblemDetail},
    url_name="site_config",
    summary="The site's configuration",
    description="The site's name, address and logo, its languages (native names, writing "
    "direction, how each writes dates), default language and time zone: what a frontend "
    "needs to print what the reader site prints. No token needed; cached like categories.",
    operation_id="site_config",
    # A token changes nothing here; declared as every read declares it (optional), so that
    # clients send theirs without a second configuration.
    auth=[BearerTokenAuth(), AllowAnonymous()],
)
def get_site_config(request: HttpRequest):
    refuse_unknown_parameters(request, ())
    return site_config(request)
