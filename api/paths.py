"""Pages by the path readers see them at, language prefix included, in both APIs.

Reader URLs start with a language (``/ja/articles/…``, ``/en/articles/…``), which Wagtail's own
lookup (``find/?html_path=`` in v2 and v3) takes for the first page slug under the default
home, so it never finds anything. Here the prefix chooses that language's home instead; a path
without one is looked up under the site's root page (the source language), as Wagtail does.

A path is taken as a person types it (``/th/articles/ลงจอด/``) or as a browser gives it in
``location.pathname`` (``/th/articles/%E0%B8%A5%E0%B8%87…/``): a frontend passes on whichever
it has.
"""

from urllib.parse import unquote

from django.conf import settings
from django.http import Http404
from wagtail.models import Locale

from core.sites import request_site


def decoded(html_path):
    """``html_path`` with its percent-escapes decoded as UTF-8, as the reader site decodes a
    URL before routing it.

    Decoded once: a slug never holds ``%`` (Wagtail's slugs are letters, digits, ``-`` and
    ``_`` in any script), so a path with an escape is an encoded path. Bytes that are not UTF-8
    become U+FFFD and match no slug. An encoded NUL (``%00``) is left encoded: no slug holds
    one, and the database must never be asked for it.
    """
    if "%" not in html_path:
        return html_path
    path = unquote(html_path, errors="replace")
    return html_path if "\x00" in path else path


def not_published(html_path):
    """The one wording of a reader path where nothing is published, in both APIs."""
    return f"No page is published at {decoded(html_path)}."


def page_at_html_path(request, html_path, site=None):
    """The page the reader site shows at ``html_path`` (encoded or not), or None."""
    html_path = decoded(html_path)
    site = site or request_site(request)
    if site is None:
        return None
    root = site.root_page
    components = [component for component in html_path.split("/") if component]
    if components and components[0].lower() in {code for code, _ in settings.LANGUAGES}:
        locale = Locale.objects.filter(language_code=components.pop(0).lower()).first()
        root = root.get_translation_or_none(locale) if locale else None
        if root is None:
            return None
    try:
        page, _args, _kwargs = root.specific.route(request, components)
    except Http404:
        return None
    return page
