"""The change feed: what changed since a cursor, oldest first, for incremental sync.

Both APIs serve it (``/api/v2/changes/``, ``/api/v3/changes/``, see ``changes.api``) from
this module: the same parameters, the same JSON, the same errors (each in its API's error
shape).

The cursor is a change id. Ids come from a sequence: on PostgreSQL a transaction can take id
10, another take 11 and commit first, and a client that read 11 would pass over 10 for good
once it commits. So the feed never serves a change past a hole in the ids that may still be
filled: a hole with a change above it younger than ``UKIYO_CHANGES_SETTLE_SECONDS`` stops
the page just before it; once that change is older, the hole is taken for a rolled-back
transaction. The guarantee, given that every transaction recording a change commits within
that many seconds of recording it: following ``next_cursor`` never skips a change and never
serves one twice. Without holes (SQLite, or no concurrent writers) changes show at once.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Max, Q
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from wagtail.models import Page, get_page_models
from wagtail.snippets.models import get_snippet_models

from api.languages import unknown_language_message
from api.params import unknown_parameters, unknown_parameters_message
from api.v2.router import router as api_v2
from core.links import api_url, page_api_urls

from . import clock
from .models import ContentChange, Purge

Event = ContentChange.Event

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
PARAMETERS = {"updated_since", "limit", "locale", "event", "type"}
# Events after which the object can be fetched: they carry its API URLs.
CURRENT = {Event.PAGE_PUBLISHED, Event.PAGE_MOVED, Event.SNIPPET_SAVED}
# A cursor is an id; anything else is read as a date-time.
CURSOR = re.compile(r"^[0-9]{1,18}$")


class FeedError(Exception):
    """A request the feed cannot answer: 400 (bad parameter) or 410 (purged cursor)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class FeedQuery:
    after: int | None = None  # a cursor
    since: datetime | None = None  # or a date-time; neither: from the oldest change kept
    limit: int = DEFAULT_LIMIT
    locales: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


def parse(params):
    """A ``FeedQuery`` from a query string (``QueryDict``), or ``FeedError`` 400 naming the
    parameter. Several values: repeat the parameter or separate them with commas."""
    if unknown := unknown_parameters(params, PARAMETERS):
        raise FeedError(400, unknown_parameters_message(unknown))
    query = FeedQuery()
    since = params.get("updated_since", "").strip()
    if since:
        if CURSOR.match(since):
            query.after = int(since)
        else:
            query.since = _parse_time(since)
    limit = params.get("limit", "").strip()
    if limit:
        if not CURSOR.match(limit) or not 1 <= int(limit) <= MAX_LIMIT:
            raise FeedError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}: {limit!r}")
        query.limit = int(limit)
    query.locales = _choices(params, "locale", {code for code, _name in settings.LANGUAGES})
    query.events = _choices(params, "event", set(Event.values))
    labels = {model._meta.label.lower(): model._meta.label for model in _feed_models()}
    query.types = [labels[value] for value in _choices(params, "type", labels, str.lower)]
    return query


def _parse_time(value):
    # A "+" of a time zone offset that was not percent-encoded arrives as a space.
    text = re.sub(r" (\d\d:?\d\d)$", r"+\1", value)
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
        if moment is not None:
            # Without an offset: UTC, as every time the feed gives. Converted here, where a
            # year the conversion pushes out of range (0001-01-01T00:00+14:00) is caught.
            moment = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise FeedError(
            400,
            "updated_since must be a next_cursor from this feed or an ISO 8601 date-time "
            f"(2025-06-23T00:00:00Z): {value!r}",
        )
    return moment


def _choices(params, name, known, normalize=lambda value: value):
    values = [
        normalize(value.strip())
        for raw in params.getlist(name)
        for value in raw.split(",")
        if value.strip()
    ]
    unknown = [value for value in values if value not in known]
    if unknown and name == "locale":
        raise FeedError(400, unknown_language_message(name, unknown))
    if unknown:
        raise FeedError(400, f"Unknown {name}: {', '.join(unknown)}")
    return list(dict.fromkeys(values))


def _feed_models():
    return [*get_page_models(), *get_snippet_models()]


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read(query, now=None):
    """``{"items", "next_cursor", "has_more"}`` for a parsed query; ``FeedError`` 400/410."""
    now = now or timezone.now()
    purge = Purge.objects.order_by("-through_id").first()
    purged_through = purge.through_id if purge else 0

    if query.after is not None:
        if query.after < purged_through:
            raise _gone(f"updated_since {query.after}")
        after = query.after
    elif query.since is not None:
        if purge and query.since <= purge.before:
            raise _gone(f"updated_since {query.since.isoformat()}")
        first = _first_id(created_at__gte=query.since)
        after = first - 1 if first else None  # None: nothing since then, see below
    else:
        first = _first_id()
        after = max(purged_through, first - 1) if first else purged_through

    settled, last = _settled_through(after if after is not None else purged_through, now)
    if after is None:
        # Nothing recorded since that time: start from now, without passing a change that
        # may still be committing.
        after = settled
    if after > max(last, purged_through):
        raise FeedError(400, f"updated_since {after} is not a cursor from this feed.")

    changes = ContentChange.objects.filter(id__gt=after, id__lte=settled, data__public=True)
    if query.locales:
        # Changes without a language (snippets that are not translatable) concern every one.
        changes = changes.filter(Q(locale__in=query.locales) | Q(locale=""))
    if query.events:
        changes = changes.filter(event__in=query.events)
    if query.types:
        changes = changes.filter(object_type__in=query.types)
    rows = list(changes.order_by("id")[: query.limit + 1])
    has_more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = rows[-1].id if has_more else max(settled, after)
    renderer = ItemRenderer()
    return {
        "items": [renderer.item(row) for row in rows],
        "next_cursor": str(next_cursor),
        "has_more": has_more,
    }


def _gone(what):
    return FeedError(
        410,
        f"{what} is older than the changes this feed keeps "
        f"({settings.UKIYO_CHANGES_RETENTION_DAYS} days): fetch everything again, then "
        "follow the feed from a date-time taken before that full sync.",
    )


def _first_id(**filters):
    ids = ContentChange.objects.filter(**filters).order_by("id").values_list("id", flat=True)
    return ids.first()


def _settled_through(after, now):
    """``(settled, last)``: the highest id the feed may serve after ``after`` without passing
    over a change still being committed, and the highest id recorded.

    Only holes just below a recent change matter: a hole under an older change was left by a
    transaction that, by the settle assumption, has finished (rolled back), and a hole above
    the newest change is never passed.
    """
    last = ContentChange.objects.aggregate(last=Max("id"))["last"] or 0
    settle = timedelta(seconds=settings.UKIYO_CHANGES_SETTLE_SECONDS)
    recent = list(
        ContentChange.objects.filter(id__gt=after, created_at__gte=now - settle)
        .order_by("id")
        .values_list("id", flat=True)
    )
    present = set(recent)
    below = {change_id - 1 for change_id in recent if change_id - 1 > after} - present
    if below:
        present |= set(ContentChange.objects.filter(id__in=below).values_list("id", flat=True))
    for change_id in recent:
        if change_id - 1 > after and change_id - 1 not in present:
            before_hole = ContentChange.objects.filter(id__gt=after, id__lt=change_id)
            return before_hole.aggregate(last=Max("id"))["last"] or after, last
    return max(last, after), last


def last_modified(now=None):
    """When the feed's answers last changed, for ``Last-Modified``; None within the second of
    a change (whole-second HTTP dates, as ``clock.last_modified``).

    A feed answer changes when a change is recorded or purged (both move the content clock,
    after their commit), and also with time alone: a change held back above a hole is served
    once the hole settles (``_settled_through``), ``UKIYO_CHANGES_SETTLE_SECONDS`` after it was
    recorded, with no commit at all. So the date is the clock's, or the last moment a change
    older than the settle delay settled, whichever is later: never earlier than a change of
    the answer, so ``If-Modified-Since`` never hides one.
    """
    now = now or timezone.now()
    moments = [clock.changed_at()]
    settle = timedelta(seconds=settings.UKIYO_CHANGES_SETTLE_SECONDS)
    if settle:
        settled = ContentChange.objects.filter(created_at__lte=now - settle).aggregate(
            last=Max("created_at")
        )["last"]
        moments.append(settled and settled + settle)
    moment = max((moment for moment in moments if moment is not None), default=None)
    if moment is None or now - moment < clock.SETTLE:
        return None
    return moment


def render_item(change):
    """One change as the feed serves it (webhooks send the same shape)."""
    return ItemRenderer().item(change)


class ItemRenderer:
    """Feed items from rows, with the API URLs of what can be fetched; no queries."""

    def __init__(self):
        self._snippet_endpoints = {}

    def item(self, row):
        data = row.data
        is_page = row.event.startswith("page.")
        public_title = is_page or self._snippet_endpoint(row.object_type) is not None
        v2_url = v3_url = None
        if row.event in CURRENT:
            v2_url, v3_url = self._api_urls(row, is_page)
        return {
            "id": row.id,
            "cursor": str(row.id),
            "event": row.event,
            "time": row.created_at,
            "type": row.object_type,
            "object_id": row.object_id,
            "translation_key": row.translation_key,
            "locale": row.locale or None,
            "title": data.get("title") if public_title else None,
            "html_url": data.get("html_url") if is_page else None,
            "previous_html_url": data.get("previous_html_url"),
            "api_v2_url": v2_url,
            "api_v3_url": v3_url,
            "reason": data.get("reason"),
            "moved_with": data.get("moved_with"),
        }

    def _api_urls(self, row, is_page):
        if is_page:
            return page_api_urls(row.object_id)
        name = self._snippet_endpoint(row.object_type)
        if name is None:
            return None, None
        v2_url = api_url(f"wagtailapi:{name}:detail", row.object_id)
        try:
            v3_url = api_url(f"wagtailapi_v3:{name}_detail", row.object_id)
        except NoReverseMatch:
            v3_url = None
        return v2_url, v3_url

    def _snippet_endpoint(self, label):
        """The v2 endpoint serving this snippet type without a token, or None: only those
        snippets are public, so only their names are shown."""
        if label not in self._snippet_endpoints:
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                model = None
            found = api_v2.get_model_endpoint(model) if model else None
            is_page = model is not None and issubclass(model, Page)
            self._snippet_endpoints[label] = found[0] if found and not is_page else None
        return self._snippet_endpoints[label]
