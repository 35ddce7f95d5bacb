"""Translate pages into many languages at once, as drafts, optionally machine-translated.

wagtail-localize's own "Translate this page" submits one page (its subtree in the background)
into the languages that do not have it yet, and its "Sync translated pages" updates existing
translations of one page. :func:`translate_pages` does both for a page or a whole section, in
one request, and never publishes: every translation it writes is a draft a translator publishes.

Rules, per page and language:

- no page in that language (or only an alias, which is what wagtail-localize creates for missing
  parents): a translation is created as a draft, with machine translation of every segment if
  asked. Its parents are created as needed (as aliases, which a later run converts).
- a page exists and is a synced translation of this page (an enabled ``Translation``): it is
  updated from the source's current content, keeping every translated segment whose source text
  did not change; machine translation, if asked, fills only the segments that have none. A draft
  translation is saved again; a live one is left as it is for a translator to review and publish
  in the translation editor (saving the target would change the live page).
- a page exists but is not synced from this page (written by hand, or its translation was
  stopped): it is left alone.
- a page exists (a translation, an alias or a page written by hand) that the user may not edit:
  it is left alone. Only a language with no page at all gets a new draft from a user who may
  not edit there, as wagtail-localize's own "Translate this page" does.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from wagtail.models import DraftStateMixin, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.strings import StringValue, validate_translation_links

from .machine import machine_slug

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UP_TO_DATE = "up_to_date"
SKIPPED = "skipped"
FAILED = "failed"
NOT_EDITABLE = "not_editable"


@dataclass
class Report:
    """What happened to each (page, locale) pair, for the messages the admin shows."""

    outcomes: dict = field(default_factory=lambda: defaultdict(list))
    machine_translated_segments: int = 0
    machine_translation_errors: list = field(default_factory=list)
    not_editable: list = field(default_factory=list)

    def add(self, outcome, page, locale, detail=""):
        self.outcomes[outcome].append((page, locale, detail))

    def count(self, outcome):
        return len(self.outcomes[outcome])


def machine_translate(translation, translator, user=None):
    """Machine-translate every segment of ``translation`` that has no translation yet.

    The same records as wagtail-localize's "Machine translate" button
    (``apply_machine_translation``), without its per-request permission check, with one query
    for the segments left to do and one insert. Returns the number of segments translated.
    """
    source = translation.source
    locale = translation.target_locale
    if not translator.can_translate(source.locale, locale):
        return 0

    existing = StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale_id=locale.pk,
    )
    segments = (
        StringSegment.objects.filter(source=source)
        .annotate(done=Exists(existing))
        .filter(done=False)
        .select_related("string", "context")
        .order_by("order")
    )
    places = defaultdict(list)
    for segment in segments:
        places[segment.string.as_value()].append(
            (segment.string_id, segment.context_id, segment.context.path)
        )
    if not places:
        return 0

    results = translator.translate(source.locale, locale, list(places))
    rows = []
    for string, string_places in places.items():
        result = results.get(string)
        if result is None or result.data is None:
            continue  # the machine had nothing for it: the segment stays to do
        rows += [
            StringTranslation(
                translation_of_id=string_id,
                locale=locale,
                context_id=context_id,
                # A slug segment becomes a slug (see translations.machine.machine_slug).
                data=machine_slug(result.data, string.data) if path == "slug" else result.data,
                translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE,
                tool_name=str(translator.display_name),
                last_translated_by=user,
                has_error=not is_valid_translation(string.data, result.data),
            )
            for string_id, context_id, path in string_places
        ]
    # One insert instead of a get_or_create per segment; a translation someone saved meanwhile
    # wins (the unique constraint on locale, string and context makes the insert skip it).
    StringTranslation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def is_valid_translation(source_html, translated_html):
    """What ``StringTranslation.save()`` checks to set ``has_error`` (bulk_create skips save)."""
    try:
        StringValue.from_translated_html(translated_html)
        validate_translation_links(source_html, translated_html)
    except ValueError:
        return False
    return True


class PageTranslator:
    """Translates pages into ``locales``; one instance per request (it remembers snippets)."""

    def __init__(self, locales, *, user=None, machine_translator=None):
        self.locales = list(locales)
        self.user = user
        self.machine_translator = machine_translator
        self.report = Report()
        self._related_done = set()

    # -- entry points ----------------------------------------------------------

    def translate_tree(self, page, *, include_subpages=False):
        """Translate ``page`` (and its descendants, parents first) the user can edit."""
        pages = [page]
        if include_subpages:
            pages += list(page.get_descendants().filter(alias_of__isnull=True).specific())
        for current in pages:
            if self.user is not None and not current.permissions_for_user(self.user).can_edit():
                self.report.not_editable.append(current)
                continue
            self.translate_page(current)
        return self.report

    def translate_page(self, page):
        """Translate one page; its content is read from ``page``, so pass it fresh from the DB."""
        page = page.specific
        previous = TranslationSource.objects.filter(
            object_id=page.translation_key, locale_id=page.locale_id
        ).first()
        source, _ = TranslationSource.update_or_create_from_instance(page)
        source_changed = previous is None or previous.last_updated_at != source.last_updated_at

        self.translate_related_objects(source)

        others = {
            other.locale_id: other
            for other in Page.objects.filter(translation_key=page.translation_key).exclude(
                pk=page.pk
            )
        }
        records = {record.target_locale_id: record for record in source.translations.all()}
        for record in records.values():
            record.source = source
        for locale in self.locales:
            if locale.pk == page.locale_id:
                continue
            existing = others.get(locale.pk)
            record = records.get(locale.pk)
            if existing is not None and not self.may_edit(existing):
                self.report.add(NOT_EDITABLE, page, locale)
            elif existing is None or existing.alias_of_id is not None:
                self.create(source, page, locale)
            elif record is not None and record.enabled:
                record.target_locale = locale
                self.update(record, page, locale, existing, source_changed)
            else:
                self.report.add(SKIPPED, page, locale)

    def may_edit(self, page):
        return self.user is None or page.permissions_for_user(self.user).can_edit()

    # -- one page, one language -------------------------------------------------

    def create(self, source, page, locale):
        try:
            with transaction.atomic():
                record, _ = Translation.objects.update_or_create(
                    source=source, target_locale=locale, defaults={"enabled": True}
                )
                record.source, record.target_locale = source, locale
                self.apply_machine_translation(record, page, locale)
                record.save_target(user=self.user, publish=False)
        except ValidationError as error:
            self.report.add(FAILED, page, locale, "; ".join(error.messages))
        else:
            self.report.add(CREATED, page, locale)

    def update(self, record, page, locale, existing, source_changed):
        translated = self.apply_machine_translation(record, page, locale)
        if not (source_changed or translated):
            self.report.add(UP_TO_DATE, page, locale)
            return
        if not existing.live:
            try:
                with transaction.atomic():
                    record.save_target(user=self.user, publish=False)
            except ValidationError as error:
                self.report.add(FAILED, page, locale, "; ".join(error.messages))
                return
        self.report.add(UPDATED, page, locale)

    def apply_machine_translation(self, record, instance, locale):
        if self.machine_translator is None:
            return 0
        try:
            # A savepoint, so that even a database error leaves the rest of the run usable.
            with transaction.atomic():
                count = machine_translate(record, self.machine_translator, self.user)
        except Exception as error:
            # The translator is pluggable (DeepL, LibreTranslate, ...) and a remote service can
            # fail in many ways; the draft is still made, with the source text to translate.
            logger.exception("Machine translation of %s into %s failed", instance, locale)
            self.report.machine_translation_errors.append((instance, locale, str(error)))
            return 0
        self.report.machine_translated_segments += count
        return count

    # -- snippets the page points at ---------------------------------------------

    def translate_related_objects(self, source):
        """Create missing translations of the snippets a page links to (categories, authors).

        A translated page points at the snippet's translation in its language; without one it
        would keep pointing at the source language's. Existing snippet translations are not
        touched (they are updated from the snippet's own "Sync" action). One level deep, like
        wagtail-localize's own submission.
        """
        for segment in source.relatedobjectsegment_set.select_related("object__content_type"):
            translatable = segment.object
            for locale in self.locales:
                key = (translatable.translation_key, locale.pk)
                if key in self._related_done or locale.pk == source.locale_id:
                    continue
                self._related_done.add(key)
                if translatable.has_translation(locale):
                    continue
                instance = translatable.get_instance_or_none(source.locale_id)
                if instance is None or isinstance(instance, Page):
                    continue  # links to pages fall back to the source; pages are not created
                related_source, _ = TranslationSource.update_or_create_from_instance(instance)
                record, _ = Translation.objects.update_or_create(
                    source=related_source, target_locale=locale, defaults={"enabled": True}
                )
                self.apply_machine_translation(record, instance, locale)
                try:
                    with transaction.atomic():
                        record.save_target(
                            user=self.user, publish=not isinstance(instance, DraftStateMixin)
                        )
                except ValidationError as error:
                    self.report.add(FAILED, instance, locale, "; ".join(error.messages))
