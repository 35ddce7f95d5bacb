"""Citation chips in article templates (``{% load citations %}``); the rules are in
``news.citations``."""

from django import template

from news import citations

register = template.Library()


@register.simple_tag(takes_context=True)
def cited_sources(context, numbers):
    """The ``(number, reference)`` pairs a block cites, from the article in the context."""
    return citations.cited(context.get("page"), numbers)


@register.simple_tag
def citation_chip(cites):
    """The chip for the pairs of ``cited_sources``, or None when nothing is cited."""
    return citations.chip(cites)
