from django import template

from translations.unpublishing import live_translations

register = template.Library()


@register.simple_tag
def translations_to_unpublish(page, user):
    """For the unpublish confirmation: ``{"pages": [...], "others": n}``."""
    pages, others = live_translations(page, user)
    return {"pages": pages, "others": others}
