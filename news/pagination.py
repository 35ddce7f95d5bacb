"""The pages of All Articles (and of its categories): numbered at the top, by date further back.

Readers mostly read the newest articles. The first ``UKIYO_ARTICLES_NUMBERED_PAGES`` pages are
numbered (``?page=N``): the database skips at most a few hundred rows, and the count behind
"Page 2 of 9" stops once it knows there are more. Past them the list goes on from the last
article shown (``?before=<cursor>``, and back with ``?after=<cursor>``): the database seeks
straight to that place in the list's own order (publication date, then id), so a page from ten
years back costs what the second page costs, however large the archive.

A cursor names an article's place in that order: its publication date in UTC to the
microsecond and its id, ``20190304T050607123456-1234``. It stays valid when articles are added
or removed. A page number past the numbered pages of a list that has more is not found (404);
a malformed cursor is a bad request (400).
"""

import re
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.http import urlencode

CURSOR = re.compile(r"(\d{8}T\d{12})-(\d{1,19})")
CURSOR_TIME = "%Y%m%dT%H%M%S%f"
MAX_ID = 2**63 - 1


def cursor(article):
    """Where ``article`` sits in a list ordered by publication date, newest first."""
    return f"{article.display_date.astimezone(UTC):{CURSOR_TIME}}-{article.pk}"


def parse_cursor(text):
    """``(display_date, id)`` from a cursor; ``BadRequest`` if it is not one."""
    match = CURSOR.fullmatch(text)
    if match is None or int(match[2]) > MAX_ID:
        raise BadRequest("Not a cursor of this list.")
    try:
        moment = datetime.strptime(match[1], CURSOR_TIME).replace(tzinfo=UTC)
    except ValueError as error:  # month 13, day 32...
        raise BadRequest("Not a cursor of this list.") from error
    return moment, int(match[2])


class CappedPaginator(Paginator):
    """A paginator that counts no further than its numbered pages.

    ``goes_further`` says whether the list has articles beyond them.
    """

    def __init__(self, object_list, per_page, numbered_pages):
        super().__init__(object_list, per_page)
        self.limit = numbered_pages * per_page

    @cached_property
    def _counted(self):
        # COUNT over at most limit + 1 rows, however long the list; any of them will do.
        return self.object_list.order_by()[: self.limit + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, self.limit)

    @property
    def goes_further(self):
        return self._counted > self.limit


class ArticleListing:
    """One page of a list of articles ordered newest first, ``(-display_date, -pk)``.

    ``articles`` is that list; ``params`` the request's query (``page``, ``before``,
    ``after``); ``base`` the query parameters every link keeps (the category).
    """

    def __init__(self, articles, params, per_page, base=None):
        self.articles = articles
        self.per_page = per_page
        self.base = base or {}
        self.paginator = None
        self.page = None
        self.object_list = []
        self.older_url = None
        self.newer_url = None
        self.first_url = None
        # Nonempty on a page reached by a cursor: how it is named in the canonical URL.
        self.cursor_query = {}
        before, after = params.get("before", ""), params.get("after", "")
        if before:
            self.read_before(parse_cursor(before))
        elif after:
            self.read_after(parse_cursor(after))
        else:
            self.read_numbered(params.get("page"))

    def url(self, **params):
        """The query string of a link from this page (with its ``?``), or ``""``."""
        query = urlencode({**self.base, **params})
        return f"?{query}" if query else ""

    # -- numbered pages -------------------------------------------------------

    def read_numbered(self, number):
        paginator = CappedPaginator(
            self.articles, self.per_page, settings.UKIYO_ARTICLES_NUMBERED_PAGES
        )
        if paginator.goes_further and _page_number(number) > paginator.num_pages:
            raise Http404("Older articles are listed from the last numbered page on.")
        # get_page: a number that is not one gives page 1, one past the end the last page.
        self.page = paginator.get_page(number)
        self.paginator = paginator
        self.object_list = list(self.page.object_list)
        if paginator.goes_further and not self.page.has_next() and self.object_list:
            self.older_url = self.url(before=cursor(self.object_list[-1]))

    # -- pages by cursor ------------------------------------------------------

    def read_before(self, place):
        moment, pk = place
        rows = list(
            # The first condition lets the database start its index scan at the cursor.
            self.articles.filter(display_date__lte=moment).filter(
                Q(display_date__lt=moment) | Q(pk__lt=pk)
            )[: self.per_page + 1]
        )
        self.object_list = rows[: self.per_page]
        self.cursor_query = {"before": cursor_of(moment, pk)}
        self.first_url = self.url()
        if self.object_list:
            self.newer_url = self.url(after=cursor(self.object_list[0]))
        if len(rows) > self.per_page:
            self.older_url = self.url(before=cursor(self.object_list[-1]))

    def read_after(self, place):
        moment, pk = place
        rows = list(
            self.articles.filter(display_date__gte=moment)
            .filter(Q(display_date__gt=moment) | Q(pk__gt=pk))
            .order_by("display_date", "pk")[: self.per_page + 1]
        )
        if len(rows) <= self.per_page:
            # Nothing newer than these: this is the top of the list, its first page.
            self.read_numbered(None)
            return
        self.object_list = rows[: self.per_page][::-1]
        self.cursor_query = {"after": cursor_of(moment, pk)}
        self.first_url = self.url()
        self.newer_url = self.url(after=cursor(self.object_list[0]))
        self.older_url = self.url(before=cursor(self.object_list[-1]))

    # -- what the template reads ----------------------------------------------

    @property
    def by_cursor(self):
        return bool(self.cursor_query)

    @property
    def canonical_query(self):
        if self.by_cursor:
            return self.url(**self.cursor_query)
        if self.page is not None and self.page.number > 1:
            return self.url(page=self.page.number)
        return self.url()


def cursor_of(moment, pk):
    return f"{moment:{CURSOR_TIME}}-{pk}"


def _page_number(number):
    """The page number asked for, or 1 for anything that is not one (as ``get_page`` reads
    it); a number too large for the database is just large."""
    try:
        return max(int(number), 1)
    except (TypeError, ValueError):
        return 1
