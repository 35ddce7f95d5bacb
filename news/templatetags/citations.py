"""Citation chips in article templates (``{% load citations %}``); the rules are in
``news.citations``."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from news import citations

register = template.Library()


@register.simple_tag(takes_context=True)
def cited_sources(context, numbers):
    """The ``(number, reference)`` pairs a block cites, from the article in the context."""
    return citations.cited(context.get("page"), numbers)


@register.simple_tag
def citation_chip(cites):
    """One citation chip for the pairs of ``cited_sources``; nothing when nothing is cited.

    The chip shows the first source's domain and "+N" for the others, links to the first one
    in the reference list, and its tooltip lists their domains. Its accessible name is the
    chip's own text followed by the source numbers (hidden on screen), so that it starts with
    what the reader sees (WCAG 2.5.3: "apnews.com +2 (Sources: 1, 3, 4)"), which a
    voice-control user can say.

    Built here rather than in a template: an article shows a dozen chips or more, and an
    included template costs several times what the chip itself does.
    """
    chip = citations.chip(cites)
    if chip is None:
        return ""
    sources = ngettext("Source: %(numbers)s", "Sources: %(numbers)s", chip.count) % {
        "numbers": escape(chip.numbers)
    }
    return format_html(
        '<a class="cite-chip" href="#ref-{}" title="{}"><span class="cite-chip__domain">{}</span>'
        '{}<span class="visually-hidden"> ({})</span></a>',
        chip.first,
        chip.domains,
        chip.domain,
        format_html('<span class="cite-chip__more">+{}</span>', chip.more) if chip.more else "",
        # The translation is the catalog's text, the numbers are escaped above.
        mark_safe(sources),  # noqa: S308
    )
