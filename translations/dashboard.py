"""The state of every source article in every other language, computed in a few bulk queries.

A cell's state, for an article in a language:

- ``missing``: no page in that language (an alias, which only mirrors the source, counts as
  missing);
- ``outdated``: a synced translation whose source changed after the translation was last
  synced (the article was published, or for a never-published article saved, after its
  ``TranslationSource.last_updated_at``);
- ``in_progress``: a synced translation with string segments still untranslated (with the
  percentage done);
- ``draft``: every segment translated and something waiting to be published: the page is not
  live, or it has unpublished changes, or segments were translated after the page was last
  written from its translations (a live page keeps its published text until a translator
  publishes);
- ``live``: every segment translated and published. Pages written by hand in a language (not
  synced) are ``draft`` or ``live`` by their own status;
- ``restricted``: the user may edit neither the article nor a page in that language, so the
  cell says nothing about it (see :func:`build_rows`). Not a state to filter by.

Beside its state, a synced translation's cell counts its machine-translated segments nobody has
reviewed yet (``to_review``, see ``translations.review``) and says whether it is machine
translation only, partly reviewed or reviewed (``review``); the filter ``needs_review`` keeps
the articles with a cell that has any.

The queries do not depend on how many articles or languages are shown: the pages of the
articles' translation keys (and which of them the user may edit), their ``TranslationSource``
rows, their ``Translation`` rows, the segment count per source, the translated-segment count and
latest translation time per (source, language), and the time of the last write of each
translation (``TranslationLog``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationLog,
    TranslationSource,
)

MISSING = "missing"
IN_PROGRESS = "in_progress"
DRAFT = "draft"
LIVE = "live"
OUTDATED = "outdated"
RESTRICTED = "restricted"

STATES = {
    MISSING: _("Missing"),
    IN_PROGRESS: _("In progress"),
    DRAFT: _("Draft"),
    LIVE: _("Live"),
    OUTDATED: _("Outdated"),
}
LABELS = {**STATES, RESTRICTED: _("No access")}

#: not a state: the cells with machine-translated segments to review
NEEDS_REVIEW = "needs_review"
FILTERS = {**STATES, NEEDS_REVIEW: _("Needs review")}

# Before any translation was written (a translation never written from its segments).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

MACHINE_ONLY = "machine_only"
PARTLY_REVIEWED = "partly_reviewed"
REVIEWED = "reviewed"
REVIEW_LABELS = {
    MACHINE_ONLY: _("Machine translation only"),
    PARTLY_REVIEWED: _("Partly reviewed"),
    REVIEWED: _("Reviewed"),
}


@dataclass
class Cell:
    locale: object
    state: str
    page_id: int | None = None
    source_id: int | None = None
    percent: int | None = None
    #: a live page with changes (a draft, or a synced update) waiting to be published
    unpublished_changes: bool = False
    #: machine-translated segments nobody has reviewed (synced translations only)
    to_review: int = 0
    #: MACHINE_ONLY, PARTLY_REVIEWED or REVIEWED; None when nothing is translated or not synced
    review: str | None = None

    @property
    def label(self):
        return LABELS[self.state]

    @property
    def review_label(self):
        return REVIEW_LABELS.get(self.review, "")


@dataclass
class Row:
    article: object
    cells: list = field(default_factory=list)
    #: whether the user may edit the article itself (else a translation of it)
    editable: bool = True
    #: what the row is called: the article's draft title, or that of a translation the user
    #: may edit when the article is not theirs (its draft title may be embargoed news)
    title: str = ""
    title_language: str = ""

    def has_state(self, state):
        if state == NEEDS_REVIEW:
            return any(cell.to_review for cell in self.cells)
        return any(cell.state == state for cell in self.cells)


def source_changed_at(article):
    """When the content a sync would read last changed.

    A sync reads the page as stored, which for a live page is its published version: a draft
    saved after publishing does not make its translations outdated, publishing it does.
    """
    if article.live:
        return article.last_published_at
    return article.latest_revision_created_at


def build_rows(articles, locales, editable=None):
    """A :class:`Row` per article with a :class:`Cell` per locale, in six queries.

    ``editable`` is the queryset of pages the user may edit, or None for every page. A row
    whose article the user may not edit is named after a translation they may edit, and shows
    only the cells of the pages they may edit (a seventh query): the user learns nothing of
    pages outside their rights, not even that they exist.
    """
    articles = list(articles)
    if not articles or not locales:
        return [own_row(article) for article in articles]
    keys = [article.translation_key for article in articles]
    locale_ids = [locale.pk for locale in locales]

    pages = {
        (page["translation_key"], page["locale_id"]): page
        for page in Page.objects.filter(translation_key__in=keys, locale_id__in=locale_ids).values(
            "id",
            "translation_key",
            "locale_id",
            "live",
            "alias_of_id",
            "has_unpublished_changes",
            "draft_title",
        )
    }
    may_edit = None
    if editable is not None:
        may_edit = set(
            editable.filter(translation_key__in=keys, alias_of__isnull=True).values_list(
                "pk", flat=True
            )
        )
    sources = {
        (source["object_id"], source["locale_id"]): source
        for source in TranslationSource.objects.filter(
            object_id__in=keys, locale_id__in={article.locale_id for article in articles}
        ).values("id", "object_id", "locale_id", "last_updated_at")
    }
    source_ids = [source["id"] for source in sources.values()]
    records = {
        (record["source_id"], record["target_locale_id"]): record
        for record in Translation.objects.filter(
            source_id__in=source_ids, target_locale_id__in=locale_ids
        ).values("source_id", "target_locale_id", "enabled")
    }
    totals = dict(
        StringSegment.objects.filter(source_id__in=source_ids)
        .values("source_id")
        .annotate(total=Count("id"))
        .values_list("source_id", "total")
    )
    done = defaultdict(int)
    machine = defaultdict(int)
    last_translated = {}
    translated = (
        StringSegment.objects.filter(
            source_id__in=source_ids,
            string__translations__locale_id__in=locale_ids,
            string__translations__context_id=F("context_id"),
            string__translations__has_error=False,
        )
        .values("source_id", "string__translations__locale_id")
        .annotate(
            done=Count("id"),
            machine=Count(
                "id",
                filter=Q(
                    string__translations__translation_type=(
                        StringTranslation.TRANSLATION_TYPE_MACHINE
                    )
                ),
            ),
            last=Max("string__translations__updated_at"),
        )
        .values_list("source_id", "string__translations__locale_id", "done", "machine", "last")
    )
    for source_id, locale_id, count, machine_count, last in translated:
        done[source_id, locale_id] = count
        machine[source_id, locale_id] = machine_count
        last_translated[source_id, locale_id] = last
    written = {
        (source_id, locale_id): last
        for source_id, locale_id, last in TranslationLog.objects.filter(
            source_id__in=source_ids, locale_id__in=locale_ids
        )
        .values("source_id", "locale_id")
        .annotate(last=Max("created_at"))
        .values_list("source_id", "locale_id", "last")
    }

    rows = []
    for article in articles:
        source = sources.get((article.translation_key, article.locale_id))
        if may_edit is None or article.pk in may_edit:
            row = own_row(article)
        else:
            row = Row(article, editable=False)
        for locale in locales:
            page = pages.get((article.translation_key, locale.pk))
            if not row.editable and (page is None or page["id"] not in may_edit):
                row.cells.append(Cell(locale, RESTRICTED))
                continue
            if not row.editable and not row.title:
                row.title, row.title_language = page["draft_title"], locale.language_code
            record = records.get((source["id"], locale.pk)) if source else None
            row.cells.append(
                cell_state(
                    article,
                    locale,
                    page,
                    source,
                    record,
                    totals,
                    (done, machine),
                    written,
                    last_translated,
                )
            )
        rows.append(row)
    return rows


def own_row(article):
    return Row(article, title=article.get_admin_display_title(), title_language="")


def cell_state(article, locale, page, source, record, totals, counts, written, last_translated):
    done, machine = counts
    if page is None or page["alias_of_id"] is not None:
        return Cell(locale, MISSING, source_id=source["id"] if source else None)
    cell = Cell(locale, LIVE if page["live"] else DRAFT, page_id=page["id"])
    cell.unpublished_changes = page["live"] and page["has_unpublished_changes"]
    if record is None or not record["enabled"]:
        return cell  # written by hand, or its translation was stopped: not synced
    cell.source_id = source["id"]
    total = totals.get(source["id"], 0)
    translated = done[source["id"], locale.pk]
    cell.percent = 100 if total == 0 else min(100, translated * 100 // total)
    cell.to_review = machine[source["id"], locale.pk]
    if translated:
        if cell.to_review >= translated:
            cell.review = MACHINE_ONLY
        elif cell.to_review:
            cell.review = PARTLY_REVIEWED
        else:
            cell.review = REVIEWED
    # Segments translated (by a translator or a machine) after the page was last written from
    # its translations: work that readers of the live page do not see yet.
    last_written = written.get((source["id"], locale.pk))
    last_change = last_translated.get((source["id"], locale.pk))
    if page["live"] and last_change and (last_written is None or last_written < last_change):
        cell.unpublished_changes = True
    changed_at = source_changed_at(article)
    if changed_at is not None and changed_at > source["last_updated_at"]:
        cell.state = OUTDATED
    elif translated < total:
        cell.state = IN_PROGRESS
    elif cell.unpublished_changes:
        cell.state = DRAFT
    return cell


# ---------------------------------------------------------------------------
# Filtering by state, in the database
# ---------------------------------------------------------------------------


def with_state(articles, state, locales, source_locale, editable=None):
    """The ``articles`` (of ``source_locale``) with a cell in ``state``, as one query.

    The same states as :func:`cell_state`, written as SQL conditions on the page of each
    cell and on its wagtail-localize records, so that the dashboard filters and counts in the
    database and computes the cells of the one page it shows (a test compares both with every
    state). ``editable`` as in :func:`build_rows`: on a row whose article the user may not
    edit, only the cells of pages they may edit count, and none is ``missing``.
    """
    locale_ids = [locale.pk for locale in locales]
    # The cells' pages: an alias is a missing translation.
    cells = Page.objects.filter(
        translation_key=OuterRef("translation_key"),
        locale_id__in=locale_ids,
        alias_of__isnull=True,
    )
    source = {"source__object_id": OuterRef("translation_key"), "source__locale": source_locale}
    synced = Exists(
        Translation.objects.filter(**source, target_locale_id=OuterRef("locale_id"), enabled=True)
    )
    # The cell's segments that have a translation (the counts of build_rows, as conditions).
    translated = StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale_id=OuterRef(OuterRef("locale_id")),
        has_error=False,
    )
    segments = StringSegment.objects.filter(**source)
    untranslated = Exists(segments.filter(~Exists(translated)))
    machine = Exists(
        segments.filter(
            Exists(translated.filter(translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE))
        )
    )
    last_written = Subquery(
        TranslationLog.objects.filter(
            source__object_id=OuterRef(OuterRef(OuterRef("translation_key"))),
            source__locale=source_locale,
            locale_id=OuterRef(OuterRef(OuterRef("locale_id"))),
        )
        .order_by()
        .values("source")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    # Segments translated after the page was last written from its translations.
    newer = Exists(
        segments.filter(
            Exists(translated.filter(Q(updated_at__gt=Coalesce(last_written, Value(EARLIEST)))))
        )
    )
    cells = cells.annotate(synced=synced, untranslated=untranslated, machine=machine, newer=newer)
    if editable is not None:
        may_edit = editable.filter(alias_of__isnull=True).values("pk")
        own = Q(pk__in=editable.values("pk"))

    def having(condition, whole_row=None):
        """Articles with a cell meeting ``condition`` (``whole_row``: an article-level one)."""
        whole_row = whole_row or Q()
        if editable is None:
            return whole_row & Q(Exists(cells.filter(condition)))
        return whole_row & (
            (own & Q(Exists(cells.filter(condition))))
            | Q(Exists(cells.filter(condition, pk__in=may_edit)))
        )

    articles = articles.annotate(
        changed_at=Case(
            When(live=True, then=F("last_published_at")),
            default=F("latest_revision_created_at"),
        ),
        source_updated_at=Subquery(
            TranslationSource.objects.filter(
                object_id=OuterRef("translation_key"), locale=source_locale
            ).values("last_updated_at")[:1]
        ),
    )
    outdated = Q(changed_at__gt=F("source_updated_at"))
    current = (
        ~Q(changed_at__gt=F("source_updated_at"))
        | Q(changed_at__isnull=True)
        | Q(source_updated_at__isnull=True)
    )
    done = Q(synced=True, untranslated=False)
    if state == MISSING:
        present = Subquery(
            Page.objects.filter(
                translation_key=OuterRef("translation_key"),
                locale_id__in=locale_ids,
                alias_of__isnull=True,
            )
            .order_by()
            .values("translation_key")
            .annotate(count=Count("pk"))
            .values("count")
        )
        condition = Q(present__lt=len(locale_ids)) | Q(present__isnull=True)
        if editable is not None:
            condition &= own
        return articles.annotate(present=present).filter(condition)
    if state == OUTDATED:
        return articles.filter(having(Q(synced=True), outdated))
    if state == IN_PROGRESS:
        return articles.filter(having(Q(synced=True, untranslated=True), current))
    if state == NEEDS_REVIEW:
        return articles.filter(having(Q(synced=True, machine=True)))
    if state == LIVE:
        return articles.filter(
            having(Q(synced=False, live=True))
            | having(done & Q(live=True, has_unpublished_changes=False, newer=False), current)
        )
    if state == DRAFT:
        return articles.filter(
            having(Q(synced=False, live=False))
            | having(
                done & (Q(live=False) | Q(has_unpublished_changes=True) | Q(newer=True)), current
            )
        )
    raise ValueError(f"Not a state to filter by: {state!r}")
