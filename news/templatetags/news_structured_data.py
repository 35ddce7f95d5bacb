"""Breadcrumbs and schema.org JSON-LD in the article and list templates
(``{% load news_structured_data %}``); the data is built in ``news.structured_data``."""

from django import template

from core.structured_data import breadcrumb_list, script
from news import structured_data

register = template.Library()


def _home_url(context, page):
    chrome = context.get("chrome")
    home = chrome.home_pages.get(page.locale.language_code) if chrome is not None else None
    return home.url if home is not None else None


@register.simple_tag(takes_context=True)
def article_breadcrumbs(context, page):
    """``(name, URL)`` pairs from the home page to ``page``, an article."""
    return structured_data.article_breadcrumbs(page, context["request"], _home_url(context, page))


@register.simple_tag(takes_context=True)
def list_breadcrumbs(context, page, category=None):
    """``(name, URL)`` pairs from the home page to ``page``, an article list (or one of its
    categories)."""
    return structured_data.list_breadcrumbs(
        page, context["request"], _home_url(context, page), category
    )


@register.simple_tag(takes_context=True)
def article_json_ld(context, page, crumbs):
    """The article's ``NewsArticle`` and ``BreadcrumbList``; nothing for a page with no URL
    yet (the preview of a new article)."""
    request = context["request"]
    if not page.get_url(request):
        return ""
    chrome = context.get("chrome")
    site_name = chrome.site_name if chrome is not None else ""
    return script(structured_data.news_article(page, request, site_name)) + script(
        breadcrumb_list(request, crumbs)
    )


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context, crumbs):
    return script(breadcrumb_list(context["request"], crumbs))
