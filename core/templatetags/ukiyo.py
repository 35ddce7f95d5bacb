"""The template tags every page of the site uses: language menu, direction, pagination."""

import unicodedata

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_bidi, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per site language for the language menu and ``hreflang`` alternates.

    On a page, each language links to that page's live translation when it has one
    (``available``). Otherwise an article falls back to that language's article list and
    any other page to that language's home page (``fallback`` says which). Off a page
    (search, accounts), the same path in the other language.
    """
    request = context.get("request")
    page = context.get("page") or context.get("self")
    current = get_language()
    chrome = context.get("chrome")
    translations = getattr(page, "live_translations", None) if page is not None else None
    if chrome is None:
        fallbacks, fallback = {}, None
    elif getattr(page, "falls_back_to_article_list", False):
        fallbacks, fallback = chrome.article_indexes, "list"
    else:
        fallbacks, fallback = chrome.home_pages, "home"

    links = []
    for code, name in settings.LANGUAGES:
        info = get_language_info(code)
        if translations is not None:
            translation = translations.get(code)
            if translation is not None:
                url = translation.get_url(request)
            else:
                fallback_link = fallbacks.get(code)  # a chrome Link: its URL is known
                url = fallback_link.url if fallback_link else None
            available = translation is not None
        else:
            url = translate_url(request.get_full_path(), code) if request else None
            available = True
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "available": available,
                "fallback": None if available else fallback,
                "current": code == current,
                "bidi": info["bidi"],
            }
        )
    return links


@register.simple_tag
def language_cookie_name():
    """The cookie that remembers the reader's language (read by ``LocaleMiddleware``)."""
    return settings.LANGUAGE_COOKIE_NAME


@register.simple_tag
def text_direction():
    return "rtl" if get_language_bidi() else "ltr"


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    request = context.get("request")
    if not url:
        return ""
    if url.startswith(("http://", "https://")) or request is None:
        return url
    return request.build_absolute_uri(url)


@register.simple_tag
def source_language():
    """The newsroom's source language (``LANGUAGE_CODE``), for ``hreflang="x-default"``."""
    return settings.LANGUAGE_CODE


@register.simple_tag
def elided_page_range(page_obj, on_each_side=2, on_ends=1):
    """Page numbers around the current one, with ``Paginator.ELLIPSIS`` for the gaps."""
    if not page_obj or not hasattr(page_obj, "paginator"):
        return []
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


@register.filter
def anchor_slug(value):
    """A fragment identifier for a heading, in any script.

    Unlike ``slugify``, keeps combining marks, so Hindi and Thai headings keep their vowel
    signs; empty when the text has no letters or digits (the template then numbers it).
    """
    words, word = [], []
    for char in str(value or "").lower():
        if unicodedata.category(char)[0] in "LNM":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return "-".join(words)[:80].strip("-")
