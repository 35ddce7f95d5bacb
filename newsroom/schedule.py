"""Where an article sits on the editorial calendar, and in which state.

Every article appears once, in one state, on one moment (shown in the admin user's time zone):

- ``scheduled``: a revision of it is approved to go live later (published with a go-live date
  in the future, ``Revision.approved_go_live_at``); it sits on that moment. This holds for a
  first publication and for a scheduled change to a live article alike: the day to watch is
  the day the change reaches readers.
- ``published``: live, nothing scheduled; it sits on its publication date
  (``display_date``), the date readers see.
- ``draft``: not live (never published, unpublished or expired), nothing scheduled; it sits on
  the publication date of its latest saved draft, which is what the editor last chose.

The queries do not depend on how many articles there are: the go-live moment and the draft's
date are read with subqueries of the one query that lists the articles.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision

SCHEDULED = "scheduled"
PUBLISHED = "published"
DRAFT = "draft"

STATES = {
    SCHEDULED: _("Scheduled"),
    PUBLISHED: _("Published"),
    DRAFT: _("Draft"),
}


def approved_schedules():
    """The revisions approved to go live later of the page of the outer query (one at most:
    Wagtail clears the others when it approves one)."""
    return Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        approved_go_live_at__isnull=False,
    )


def with_schedule(articles):
    """``articles`` annotated with ``scheduled_at`` (the approved go-live moment, or None) and
    ``draft_display_date`` (the publication date in the latest revision, as stored text)."""
    approved = approved_schedules().order_by("-created_at", "-pk").values("approved_go_live_at")[:1]
    draft_date = Revision.objects.filter(pk=OuterRef("latest_revision_id")).values(
        date=KT("content__display_date")
    )[:1]
    return articles.annotate(
        scheduled_at=Subquery(approved), draft_display_date=Subquery(draft_date)
    )


def in_state(articles, state):
    """``articles`` (annotated by :func:`with_schedule`) in one of ``STATES``."""
    if state == SCHEDULED:
        return articles.filter(scheduled_at__isnull=False)
    if state == PUBLISHED:
        return articles.filter(scheduled_at__isnull=True, live=True)
    return articles.filter(scheduled_at__isnull=True, live=False)


def between(articles, start, end):
    """``articles`` (annotated by :func:`with_schedule`) that may sit in ``[start, end)``.

    A draft's date is stored as ISO text with the offset it was entered in, so the database
    compares calendar days with a margin of two days each side (two time zones are at most
    26 hours apart); :func:`placed` then places each article exactly.
    """
    low = (start - timedelta(days=2)).date().isoformat()
    high = (end + timedelta(days=2)).date().isoformat()
    published = Q(display_date__gte=start, display_date__lt=end)
    draft = Q(draft_display_date__gte=low, draft_display_date__lt=high) | (
        Q(draft_display_date__isnull=True) & published
    )
    return articles.filter(
        Q(scheduled_at__gte=start, scheduled_at__lt=end)
        | (Q(scheduled_at__isnull=True, live=True) & published)
        | (Q(scheduled_at__isnull=True, live=False) & draft)
    )


@dataclass
class Entry:
    article: object
    state: str
    #: the moment it sits on, in the current time zone
    moment: datetime

    @property
    def state_label(self):
        return STATES[self.state]

    @property
    def day(self):
        return self.moment.date()


def draft_date(article):
    """The publication date of the latest draft, else the stored one."""
    stored = getattr(article, "draft_display_date", None)
    moment = None
    if isinstance(stored, str):
        try:
            moment = parse_datetime(stored)
        except ValueError:
            moment = None
    if moment is None:
        return article.display_date
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def placed(article):
    """The :class:`Entry` of an article annotated by :func:`with_schedule`."""
    if article.scheduled_at is not None:
        state, moment = SCHEDULED, article.scheduled_at
    elif article.live:
        state, moment = PUBLISHED, article.display_date
    else:
        state, moment = DRAFT, draft_date(article)
    return Entry(article, state, timezone.localtime(moment))
