"""Machine translation waits for a translator: its state, and the refusal to publish it.

The state is wagtail-localize's own: a ``StringTranslation`` whose ``translation_type`` is
``"machine"`` was written by a machine translator (its "Machine translate" button, or
``translations.operations``) and nobody has saved it since; the translation editor's save of a
segment (changed or not) makes it ``"manual"``, with the translator as ``last_translated_by``.
Nothing is written into the text itself, so a reviewed segment needs no editing.

A synced translation of a page with such segments is not published: every publication of a
page goes through Wagtail's ``PublishPageRevisionAction`` (the translation editor's "Publish",
the page editor, bulk publishing, API v3, ``Revision.publish()``), whose check
:func:`check_publication` extends (``compat.wagtail_pages.check_before_publishing``). The
override is explicit: a user with :data:`OVERRIDE_PERMISSION` publishes inside
:func:`publishing_unreviewed`, and the publication is logged in the page's history
(:data:`LOG_ACTION`, with the number of segments).

A scheduled publication is checked when it is scheduled, not again when
``publish_scheduled`` makes it live: that command has nobody to tell.

wagtail-localize publishes a translation (``Translation.save_target(publish=True)``) in a
``transaction.on_commit`` callback, without the user, where a refusal could not be answered:
``save_target`` decides before (:func:`may_publish_translation`, through
``compat.wagtail_localize.publish_targets_only_if``) and saves a draft when it may not publish.
The override view saves the draft and publishes it itself, as its user.
"""

import contextvars
import logging
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation

OVERRIDE_PERMISSION = "translations.publish_unreviewed_machine_translation"
LOG_ACTION = "translations.publish_unreviewed"
LOG_LABEL = _("Publish with unreviewed machine translation")

logger = logging.getLogger(__name__)

_override = contextvars.ContextVar("publishing_unreviewed", default=None)


class UnreviewedMachineTranslation(PermissionDenied):
    """A publication refused: ``count`` machine-translated segments nobody has reviewed."""

    def __init__(self, page, count):
        self.page = page
        self.count = count
        super().__init__(refusal_message(count))


def refusal_message(count):
    return ngettext(
        "%(count)d machine-translated segment still needs review: a translator checks it "
        "(edit and save, changed or not) before the translation is published.",
        "%(count)d machine-translated segments still need review: a translator checks them "
        "(edit and save, changed or not) before the translation is published.",
        count,
    ) % {"count": count}


def synced_translation(page):
    """The enabled wagtail-localize ``Translation`` that writes ``page``, or None."""
    return (
        Translation.objects.filter(
            source__object_id=page.translation_key,
            target_locale_id=page.locale_id,
            enabled=True,
        )
        .select_related("source")
        .first()
    )


def unreviewed_segments(translation):
    """How many of the source's current segments hold an unreviewed machine translation."""
    machine = StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale_id=translation.target_locale_id,
        translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE,
    )
    return (
        StringSegment.objects.filter(source_id=translation.source_id)
        .filter(Exists(machine))
        .count()
    )


def unreviewed_in_page(page):
    """Unreviewed machine-translated segments of ``page``, if it is a synced translation."""
    translation = synced_translation(page)
    return 0 if translation is None else unreviewed_segments(translation)


def may_override(user):
    return user is not None and user.is_active and user.has_perm(OVERRIDE_PERMISSION)


@contextmanager
def publishing_unreviewed(user):
    """Publish, inside this block, what holds unreviewed machine translation, as ``user``.

    Only a user with :data:`OVERRIDE_PERMISSION` gets past the check; each page published
    this way gets a :data:`LOG_ACTION` entry in its history.
    """
    token = _override.set(user)
    try:
        yield
    finally:
        _override.reset(token)


def may_publish_translation(translation, user):
    """Whether ``Translation.save_target(publish=True)`` may publish (else it saves a draft).

    A page translation with unreviewed machine segments is published only inside the
    override; a snippet (no review state of its own) always is.
    """
    model = translation.source.specific_content_type.model_class()
    if model is None or not issubclass(model, Page):
        return True
    count = unreviewed_segments(translation)
    if not count:
        return True
    overriding = _override.get()
    if overriding is not None and may_override(overriding):
        return True
    logger.warning(
        "Translation %s saved as a draft, not published: %d segments to review",
        translation.pk,
        count,
    )
    return False


def check_publication(revision, page, user):
    """Refuse to publish ``page`` (a revision of it) while it holds unreviewed machine text.

    Raises :class:`UnreviewedMachineTranslation` (a ``PermissionDenied``: a 403 wherever no
    view catches it). Called by Wagtail's publish action before anything is written.
    """
    if not isinstance(page, Page):
        return
    if user is None and revision.approved_go_live_at is not None:
        return  # publish_scheduled: checked when it was scheduled
    count = unreviewed_in_page(page)
    if not count:
        return
    overriding = _override.get()
    # wagtail-localize publishes a translation after the commit, without a user
    # (``transaction.on_commit(revision.publish)``): inside the override, that is its user's.
    if overriding is not None and user is None:
        user = overriding
    if overriding is None or not may_override(user) or overriding.pk != user.pk:
        raise UnreviewedMachineTranslation(page, count)
    log(instance=page, action=LOG_ACTION, user=user, data={"count": count}, revision=revision)


def segment_comment(string_translation):
    """What the translation editor says of a segment: machine text to review, or who checked it."""
    from wagtail.admin.utils import get_user_display_name

    date = localtime(string_translation.updated_at).date().isoformat()
    if string_translation.translation_type == StringTranslation.TRANSLATION_TYPE_MACHINE:
        if string_translation.tool_name:
            return gettext("Machine translation (%(tool)s, %(date)s): needs review") % {
                "tool": string_translation.tool_name,
                "date": date,
            }
        return gettext("Machine translation (%(date)s): needs review") % {"date": date}
    if string_translation.tool_name:
        return gettext("Imported from %(tool)s on %(date)s") % {
            "tool": string_translation.tool_name,
            "date": date,
        }
    if string_translation.last_translated_by_id:
        return gettext("Translated or reviewed by %(name)s on %(date)s") % {
            "name": get_user_display_name(string_translation.last_translated_by),
            "date": date,
        }
    return gettext("Translated on %(date)s") % {"date": date}
