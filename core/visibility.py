"""Which pages anonymous readers may see, decided inside the query that fetches them.

Wagtail's ``PageQuerySet.public()`` first reads every view restriction (one query per call)
and then filters; a page calls it for its translations and for the site chrome, so each
rendered page paid for it several times. Here the same rule is a subquery: a page is private
when a view restriction sits on it or on one of its ancestors, i.e. when the restricted
page's tree path is a prefix of the page's own.
"""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction


def restricted():
    """True (as an expression) for a page in a section with a view restriction."""
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
    )


def public(queryset):
    """``queryset.public()`` without the separate query for the restrictions."""
    return queryset.filter(~restricted())
