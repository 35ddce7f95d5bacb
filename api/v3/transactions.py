"""A v3 write and its answer commit together, or not at all.

Wagtail's write operations save inside their view function; django-ninja then builds the
answer from the saved page or snippet, reading the database again (a page's parent for its
``meta``, its locale, its tag). When the database went away in between (a restart, a failover:
the connection ended), the write had committed already and the client was told it failed: a
503 asks it to send the write again, which then made a second article, or was refused as a
slug already taken.

Here the whole run of a write operation, the answer included, is one transaction: an answer
that cannot be built takes the write back with it, so that a 5xx means nothing was written and
sending it again is safe. Reads run as before.

Installed by ``api.urls`` on the whole API (``NinjaAPI.add_decorator(mode="view")``: pages,
snippets, images, documents, redirects, sites), where it comes inside each router's own
decorators; ``api.v3.pages`` puts it around its own too, so that what it adds to a page
write's answer (its tag, its publishing state) is read in the same transaction. The checks
and Wagtail's views inside run in savepoints of their own.
"""

import functools

from django.db import transaction

# The methods that change nothing.
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def write_with_its_answer(run):
    """``run`` (an operation's whole run) in one transaction when it may write."""

    @functools.wraps(run)
    def run_in_one_transaction(request, *args, **kwargs):
        if request.method in READS:
            return run(request, *args, **kwargs)
        with transaction.atomic():
            return run(request, *args, **kwargs)

    return run_in_one_transaction
