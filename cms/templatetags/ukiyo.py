from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_bidi, get_language_info

register = template.Library()



@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per site language for the language menu and ``hreflang`` alternates.

    On a page, each language links to that page's live translation when it has one,
    otherwise to that language's home page (``available`` tells which). Off a page (search),
    the same path in the other language.
    """
    request = context.get("request")
    page = context.get("page") or context.get("self")
    current = get_language()
    chrome = context.get("chrome")
    translations = getattr(page, "live_translations", None) if page is not None else None
    homes = chrome.home_pages if chrome is not None else {}

    links = []
    for code, name in settings.LANGUAGES:
        info = get_language_info(code)
        if translations is not None:
            translation = translations.get(code)
            target = translation or homes.get(code)
            url = target.get_url(request) if target else None
            available = translation is not None
        else:
            url = translate_url(request.get_full_path(), code) if request else None
            available = True
        links.append(
            {
                "code": code,
                "name": name,
                "english_name": info["name"],
                "url": url,
                "available": available,
                "current": code == current,
                "bidi": info["bidi"],
            }
        )
    return links


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


@register.simple_tag(takes_context=True)
def cited_sources(context, numbers):
    """The references a paragraph or list item cites, from the article in the context."""
    page = context.get("page")
    if not numbers or page is None or not hasattr(page, "citations"):
        return []
    return page.citations(numbers)
