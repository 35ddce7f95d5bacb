"""Content in a chosen language, or else in the first of a chain of fallback languages.

``?locale=fr&fallback=en,ja`` asks, for every item without a live French version, for its
version in the first fallback language that has one. Both APIs read it the same way: v2's pages
listing and detail (``api.v2.filters``), v3's article cards and article in a language
(``news.api.listings``). Without ``fallback`` nothing changes.

The cost is fixed: the choice is a subquery per language of the chain, never per item, so a page
of 5 or of 100 items takes the same number of queries.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from wagtail.models import Locale

from core import pagecache


class ListingParameterError(ValueError):
    """A query parameter with a value a listing cannot use; ``parameter`` names it."""

    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Languages:
    """The requested language, then the fallbacks, in the order they were asked for."""

    chain: tuple[Locale, ...]

    @property
    def requested(self) -> Locale:
        return self.chain[0]


def language_codes():
    return {code for code, _name in settings.LANGUAGES}


def unknown_language_message(parameter, codes):
    """The one wording of a language code the site does not have, in every endpoint of both
    APIs and whichever parameter names it (``locale``, ``fallback``)."""
    named = ", ".join(repr(code) for code in codes)
    known = ", ".join(code for code, _name in settings.LANGUAGES)
    return f"{parameter} names no language of this site: {named} (its languages: {known})."


def known_locale(code):
    """The site's Wagtail locale for ``code``, or a 404 naming it, as Wagtail answers an
    unknown ``locale`` everywhere. Checked against the settings first: the database never
    sees a malformed code."""
    locale = site_locales().get(code) if code in language_codes() else None
    if locale is None:
        raise Http404(unknown_language_message("locale", [code]))
    return locale


def site_locales():
    """The site's Wagtail locales by language code, from the page cache (the ``site`` tag,
    which every change of a locale moves): a listing in a language reads none."""
    return pagecache.cached(
        "api-locales", (), lambda: {locale.language_code: locale for locale in Locale.objects.all()}
    )


def parse_languages(locale_code, fallback) -> Languages | None:
    """``?locale=fr&fallback=en,ja`` as a chain of locales; None without ``fallback``.

    An unknown ``locale`` is a 404, as Wagtail answers it everywhere; an unknown fallback
    language is a 400 naming it. Repeated languages count once.
    """
    codes = [code.strip() for code in (fallback or "").split(",") if code.strip()]
    if not codes:
        return None
    if not locale_code:
        raise ListingParameterError(
            "fallback", "fallback needs locale: ask for ?locale=fr&fallback=en."
        )
    unknown = [code for code in codes if code not in language_codes()]
    if unknown:
        raise ListingParameterError("fallback", unknown_language_message("fallback", unknown))
    known_locale(locale_code)
    wanted = list(dict.fromkeys([locale_code, *codes]))
    locales = site_locales()
    # A fallback language the site has no pages in yet has nothing to offer.
    return Languages(chain=tuple(locales[code] for code in wanted if code in locales))


def in_preferred_language(queryset, candidates, languages: Languages):
    """Of each translation group, keep the version in the first language of the chain that
    ``candidates`` (the live pages the caller may see) holds.

    One subquery per language of the chain, never per page, so the cost does not grow with
    the listing. Written as ``id__in`` for the search backends, which accept no other form.
    """
    chosen = Q()
    for position, locale in enumerate(languages.chain):
        in_this_language = Q(locale=locale)
        if position:
            preferred = candidates.filter(
                translation_key=OuterRef("translation_key"),
                locale__in=languages.chain[:position],
            )
            in_this_language &= ~Exists(preferred)
        chosen |= in_this_language
    return queryset.filter(id__in=candidates.filter(chosen).values("pk"))
