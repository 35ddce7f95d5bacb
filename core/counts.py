"""Exact counts of long lists, computed once per change of the content.

An API listing tells its total (``count``): frontends page with it. Counting is the one part
of a listing whose cost grows with the archive: the cards' first page reads a dozen rows from
an index, while the count reads every live article of the language (68 ms at 100,000 article
pages, docs/architecture.md). Yet the count only changes when the content does.

So a count is kept in the default cache under the query's SQL (or what else names the list
whole, such as a search and its language) and the content version: a value that changes
after every commit that could change any count (in ukiyo, the content clock of
``changes.clock``, set here by ``changes`` at start-up). The version is read before counting,
so a count stored under a version never predates it. Without a version source, or before the
first change is recorded, every count is counted.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

# A count stays at most this long, even if nothing changes (seconds).
TIMEOUT = 24 * 60 * 60
# Kept with each count; ``forget`` changes it.
GENERATION = "ukiyo:count:generation"

_version = None


def set_content_version(source):
    """Say where the content version comes from: ``source()`` returns a value whose ``str``
    changes after every commit that could change a count, or None. Called once, from an
    app's ``ready()``."""
    global _version
    _version = source


def count(queryset):
    """``queryset.count()``, from the cache while the content version stays the same. A list
    of results that is not one queryset counts itself (``RecentFirst``: each of its own
    querysets through here)."""
    if not isinstance(queryset, QuerySet):
        return queryset.count()
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # .none(), an empty __in: nothing to count, no query
        return queryset.count()
    return kept(("sql", queryset.db, sql, params), queryset.count)


def kept(what, compute):
    """``compute()``, a count of what ``what`` (a tuple of strings and numbers that names it
    whole: the SQL, a search and its language) names, from the cache while the content
    version stays the same (and nothing called ``forget``)."""
    version = _version() if _version is not None else None
    if version is None:
        return compute()
    digest = hashlib.sha256(f"{version}\n{what!r}".encode()).hexdigest()
    key = f"ukiyo:count:{digest}"
    found = cache.get_many([key, GENERATION])  # one round trip
    generation = found.get(GENERATION)
    stored = found.get(key)
    if isinstance(stored, tuple) and stored[0] == generation:
        return stored[1]
    value = compute()
    cache.set(key, (generation, value), TIMEOUT)
    return value


def forget():
    """Make every kept count stale: for what changes counts without moving the content
    version (the search index written again by ``rebuild_search_index``)."""
    cache.set(GENERATION, uuid.uuid4().hex, None)
