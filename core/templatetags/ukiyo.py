"""The template tags every page of the site uses: language menu, direction, pagination, the
parts of a page the page cache keeps (``kept``), the site's JSON-LD."""

import hashlib
import unicodedata

from django import template
from django.conf import settings
from django.template.defaulttags import ForNode
from django.urls import translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_bidi, get_language_info

from core import pagecache, structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per site language for the language menu and ``hreflang`` alternates.

    On a page, each language links to that page's live translation when it has one
    (``available``). Otherwise an article falls back to that language's article list and
    any other page to that language's home page (``fallback`` says which). Off a page
    (search, accounts), the same path in the other language, unless the view names the
    languages it exists in (``language_alternates``: code to path, an author's page), the
    others falling back to their home page.
    """
    request = context.get("request")
    page = context.get("page") or context.get("self")
    current = get_language()
    chrome = context.get("chrome")
    translations = getattr(page, "live_translations", None) if page is not None else None
    alternates = context.get("language_alternates") if page is None else None
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
        elif alternates is not None:
            available = code in alternates
            fallback_link = None if available else fallbacks.get(code)
            url = alternates.get(code) or (fallback_link.url if fallback_link else None)
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


@register.tag
def kept(parser, token):
    """``{% kept page "name" %}...{% endkept %}``: a part of a live page's HTML, rendered once
    per revision of the page, language and host, and kept until something it shows changes
    (``core.pagecache.fragment``: the page's tags, ``page_cache_tags``, and those declared
    while it rendered; a live page saved without a revision moves its tag too).

    Only what every reader of the page sees may be kept: what depends on the reader (the
    user, the session, a CSRF token, the CSP nonce) goes between ``{% unkept %}`` and
    ``{% endunkept %}`` inside it, rendered for each request. On a miss the page reads its
    rows at once first (``prefetch_for_reading``); on a hit it reads none of them. Outside
    the live page's own view (a preview, a revision) the whole part is rendered every time.
    """
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a page and a name")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(parser.compile_filter(bits[1]), parser.compile_filter(bits[2]), nodelist)


@register.tag
def unkept(parser, token):
    """``{% unkept %}...{% endunkept %}``: inside ``kept``, rendered for each request."""
    nodelist = parser.parse(("endunkept",))
    parser.delete_first_token()
    return UnkeptNode(nodelist)


# What a kept part holds in place of each unkept one (NUL: no page text contains it).
_HOLE = "\x00unkept-{}\x00"


class UnkeptNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.number = None  # its place in the enclosing kept part

    def render(self, context):
        if context.get("_keeping"):
            if self.number is None:
                # In a template a kept part includes: it would be kept for every reader.
                raise template.TemplateSyntaxError("unkept must be written inside kept itself")
            return _HOLE.format(self.number)
        return self.nodelist.render(context)


class KeptNode(template.Node):
    def __init__(self, page, name, nodelist):
        self.page, self.name, self.nodelist = page, name, nodelist
        self.holes = nodelist.get_nodes_by_type(UnkeptNode)
        for loop in nodelist.get_nodes_by_type(ForNode):
            if loop.nodelist_loop.get_nodes_by_type(UnkeptNode):
                # Each round would leave its own hole, filled once from outside the loop.
                raise template.TemplateSyntaxError("unkept cannot be inside a loop in kept")
        for number, hole in enumerate(self.holes):
            hole.number = number

    def render(self, context):
        page = self.page.resolve(context)
        request = context.get("request")
        tags_of = getattr(page, "page_cache_tags", None)
        if not pagecache.keeping():
            # A preview: its page holds the editor's unsaved authors and tags, so nothing is
            # read from the database, nor kept.
            if tags_of is not None:
                pagecache.depends_on(*tags_of())
            return self.nodelist.render(context)

        def read():
            prefetch = getattr(page, "prefetch_for_reading", None)
            if prefetch is not None:
                prefetch()
            if tags_of is not None:
                pagecache.depends_on(*tags_of())

        def render():
            read()
            with context.push(_keeping=True):
                return self.nodelist.render(context)

        if request is None or getattr(page, "pk", None) is None:
            read()
            return self.nodelist.render(context)
        identity = "\x1f".join(
            str(part)
            for part in (
                request.scheme,
                request.get_host(),
                get_language(),
                self.name.resolve(context),
                page.pk,
                page.live_revision_id,
            )
        )
        html = pagecache.fragment(hashlib.sha256(identity.encode()).hexdigest(), render)
        for hole in self.holes:
            html = html.replace(_HOLE.format(hole.number), hole.nodelist.render(context), 1)
        # Both are what the template engine rendered (escaped as it rendered them).
        return mark_safe(html)  # noqa: S308


@register.simple_tag(takes_context=True)
def website_json_ld(context):
    """The site in the page's language as schema.org ``WebSite`` (with its search and its
    publisher), for the home page."""
    request, page, chrome = context["request"], context.get("page"), context.get("chrome")
    home_url = page.get_url(request) if page is not None else request.path
    if not home_url or chrome is None:
        return ""
    return structured_data.script(
        structured_data.website(request, chrome.site_name, home_url, get_language())
    )


# OpenGraph names a language with its territory (``ja_JP``), as Facebook's list of locales has
# them; Simplified Chinese is written in mainland China.
OG_LOCALES = {
    "ja": "ja_JP",
    "en": "en_US",
    "zh-hans": "zh_CN",
    "es": "es_ES",
    "fr": "fr_FR",
    "ko": "ko_KR",
    "de": "de_DE",
    "th": "th_TH",
    "hi": "hi_IN",
}


@register.simple_tag
def og_locale(language_code):
    """``og:locale`` of a language code (``ja`` → ``ja_JP``)."""
    return OG_LOCALES.get(language_code, language_code.replace("-", "_"))
