"""Which pages anonymous readers may see, decided inside the query that fetches them.

Wagtail's ``PageQuerySet.public()`` first reads every view restriction (one query per call)
and then filters; a page calls it for its translations and for the site chrome, so each
rendered page paid for it several times. Here a page is private when a view restriction sits
on it or on one of its ancestors, i.e. when the restricted page's tree path is a prefix of
the page's own.

The restricted pages' paths are few and rarely change, so they are kept with the pieces pages
share (``core.pagecache.cached``, tag ``RESTRICTIONS``, moved by every save or deletion of a
restriction and every move of a page: ``on_restrictions_changed``). The rule is then a few
``path LIKE 'prefix%'`` conditions, or none at all on a site without restrictions, instead of
a correlated subquery that every listing built, compiled and ran for each row. Past
``MAX_PREFIXES`` sections the subquery is used again: a condition per section would cost more.
"""

import functools
import operator

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.db.models.functions import Length, Substr
from wagtail.models import BaseViewRestriction, PageViewRestriction

from . import pagecache

# A save or deletion of a view restriction, or a moved page (the tree paths change).
RESTRICTIONS = "restrictions"
# More restricted sections than this: the rule is a subquery, not one condition each.
MAX_PREFIXES = 32


def restricted_sections():
    """``(path, restriction type)`` of every page with a view restriction, sorted by path;
    from the cache."""

    def read():
        rows = PageViewRestriction.objects.values_list("page__path", "restriction_type")
        return tuple(sorted(set(rows)))

    return pagecache.cached("view-restrictions", (RESTRICTIONS,), read)


def _outermost(paths):
    """The paths no other of ``paths`` is a prefix of: the sections that cover the rest."""
    kept = []
    for path in sorted(paths):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def _condition(except_public):
    """``(Q or None, too_many)``: True for a page in a restricted section (None: there is
    none); ``too_many`` when the sections are better found with a subquery."""
    paths = [
        path
        for path, kind in restricted_sections()
        if not (except_public and kind == BaseViewRestriction.NONE)
    ]
    prefixes = _outermost(paths)
    if len(prefixes) > MAX_PREFIXES:
        return None, True
    if not prefixes:
        return None, False
    return functools.reduce(operator.or_, (Q(path__startswith=path) for path in prefixes)), False


def _subquery(except_public):
    restrictions = PageViewRestriction.objects.all()
    if except_public:
        restrictions = restrictions.exclude(restriction_type=BaseViewRestriction.NONE)
    return Exists(restrictions.filter(page__path=Substr(OuterRef("path"), 1, Length("page__path"))))


def restricted(*, except_public=False):
    """True (as an expression, to annotate) for a page in a section with a view restriction.

    ``except_public``: only the restrictions that keep out a reader without a login or a
    session, every one but "public" (``BaseViewRestriction.accept_request``; the API's rule).
    Without it, any restriction counts, as in Wagtail's ``PageQuerySet.public()``.
    """
    condition, too_many = _condition(except_public)
    if too_many:
        return _subquery(except_public)
    if condition is None:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


def outside_restrictions(*, except_public=False):
    """A condition (``Q``, to filter) true for a page in no restricted section; ``Q()`` when
    there is none. ``except_public`` as for ``restricted``."""
    condition, too_many = _condition(except_public)
    if too_many:
        return ~Q(_subquery(except_public))
    return Q() if condition is None else ~condition


def public(queryset):
    """``queryset.public()`` without the separate query for the restrictions."""
    return queryset.filter(outside_restrictions())


def on_restrictions_changed(**kwargs):
    """A view restriction saved or deleted, or a page moved: the sections are read again."""
    pagecache.invalidate([RESTRICTIONS])
