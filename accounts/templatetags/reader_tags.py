from django import template

from accounts.models import SavedArticle

register = template.Library()


@register.simple_tag(takes_context=True)
def article_is_saved(context, page):
    """Whether the logged-in reader saved ``page`` in any language (one query; none for
    anonymous readers)."""
    user = context["request"].user
    return user.is_authenticated and SavedArticle.objects.for_article(user, page).exists()
