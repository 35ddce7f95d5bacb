"""wagtail-localize: translated page slugs in every script; empty optional blocks; who may
translate what (see the section further down).

Slugs. When wagtail-localize creates or updates a translated page, it passes the translated slug
through Django's ASCII-only ``slugify`` (``wagtail_localize.models``, in
``TranslationSource.create_or_update_translation``), without ``allow_unicode`` and without
reading ``WAGTAIL_ALLOW_UNICODE_SLUGS``. A Japanese, Chinese, Korean, Thai or Hindi slug comes
out empty and an accented one loses its accents.

Upstream: no wagtail-localize issue reports it yet. Wagtail fixed the same bug in its own
slug generation (https://github.com/wagtail/wagtail/issues/5805); wagtail-localize has no
setting or hook for it.

Empty optional blocks. wagtail-localize's segment extractor
(``StreamFieldSegmentExtractor.handle_block`` in ``wagtail_localize.segments.extract``)
assumes every text block holds a string. An optional child of a StructBlock that holds
``null`` (an editor left it empty in an older version, an integration sent ``null``, or a
schema change added the child after the content was written) makes it raise ``TypeError``,
and an empty optional embed raises ``AttributeError``: submitting or syncing the page's
translations fails. A block without a value has nothing to translate, so it gives no segment.

Upstream: https://github.com/wagtail/wagtail-localize/issues/690 (null after a schema
change), https://github.com/wagtail/wagtail-localize/issues/918 (an optional CharBlock left
empty) and https://github.com/wagtail/wagtail-localize/issues/875 (an empty EmbedBlock).
"""

import functools

import wagtail_localize.models
from wagtail_localize.segments.extract import StreamFieldSegmentExtractor


def use_slugify(slugify):
    """Make wagtail-localize build translated slugs with ``slugify`` (one argument)."""
    wagtail_localize.models.slugify = slugify


def skip_empty_blocks():
    """Make wagtail-localize extract no segment from a block whose value is missing."""
    handle_block = StreamFieldSegmentExtractor.handle_block
    if getattr(handle_block, "skips_empty_blocks", False):
        return

    @functools.wraps(handle_block)
    def handle_non_empty_block(self, block_type, block_value, raw_value=None):
        if block_value is None:
            return []
        return handle_block(self, block_type, block_value, raw_value=raw_value)

    handle_non_empty_block.skips_empty_blocks = True
    StreamFieldSegmentExtractor.handle_block = handle_non_empty_block


# --- Who may submit or update a translation --------------------------------------------------
#
# wagtail-localize's "Translate this page", "Translate" (snippets) and "Sync translated pages"
# views check only the global "Can submit translations" permission: a user holding it opens the
# form for any page or snippet (its subtitle is the page's draft title, however embargoed) and
# can create or overwrite translations anywhere in the tree. Wagtail fixed the same gap in its
# own contrib.simple_translation (https://github.com/wagtail/wagtail/issues/14504, checking the
# user's edit permission on the source); no wagtail-localize issue reports it yet, and its
# views have no hook for it. Each view reads its object through ``get_object()`` right after
# its own permission check, so the object is checked there.


def refuse_objects_the_user_may_not_edit(may_edit):
    """Make wagtail-localize's submit and update views answer 403 unless
    ``may_edit(user, instance)`` is true for the page or snippet being translated."""
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
    from django.http import Http404
    from wagtail_localize.models import TranslationSource
    from wagtail_localize.views.submit_translations import (
        SubmitPageTranslationView,
        SubmitSnippetTranslationView,
    )
    from wagtail_localize.views.update_translations import UpdateTranslationsView

    def checked(get_object):
        def get_checked_object(self):
            found = get_object(self)
            instance = found
            if isinstance(found, TranslationSource):
                try:
                    instance = found.get_source_instance()
                except ObjectDoesNotExist:
                    raise Http404 from None
            if not may_edit(self.request.user, instance):
                raise PermissionDenied
            return found

        get_checked_object.ukiyo_unchecked = get_object
        return get_checked_object

    for view in (SubmitPageTranslationView, SubmitSnippetTranslationView, UpdateTranslationsView):
        get_object = view.__dict__["get_object"]
        view.get_object = checked(getattr(get_object, "ukiyo_unchecked", get_object))


def restrict_translations_report(visible):
    """Make wagtail-localize's Translations report list only ``visible(user, translations)``.

    The report (Reports → Translations) lists every ``Translation`` with its source's title to
    every admin user (an embargoed article's included); it has no hook to filter by the user's
    rights. Upstream: no wagtail-localize issue reports it yet.
    """
    from wagtail_localize.views.report import TranslationsReportView

    get_queryset = TranslationsReportView.__dict__["get_queryset"]
    get_queryset = getattr(get_queryset, "ukiyo_unrestricted", get_queryset)

    def get_visible_queryset(self):
        return visible(self.request.user, get_queryset(self))

    get_visible_queryset.ukiyo_unrestricted = get_queryset
    TranslationsReportView.get_queryset = get_visible_queryset


# --- What the translation editor says of each segment -------------------------------------------
#
# The editor (React) shows each segment's ``StringTranslation.get_comment()``: "Machine
# translated on <date>" or "Translated with <tool> on <date>" for a machine translation, and
# "Translated manually on <date>" for one a translator saved, without saying that machine text
# still needs a translator, nor who checked it. The serializer reads the method by name
# (``ReadOnlyField(source="get_comment")``) and the editor has no hook for it. Upstream: no
# wagtail-localize issue asks for it yet.


def comment_segments_with(comment):
    """Make the translation editor show ``comment(string_translation)`` for each segment."""
    from wagtail_localize.models import StringTranslation

    original = StringTranslation.__dict__["get_comment"]
    original = getattr(original, "ukiyo_original", original)

    def get_comment(self):
        return comment(self)

    get_comment.ukiyo_original = original
    StringTranslation.get_comment = get_comment


# --- Publishing a translation from its translations ---------------------------------------------
#
# ``Translation.save_target(publish=True)`` writes the page from its translations, then
# publishes it in a ``transaction.on_commit`` callback, without the user. A publication that
# Wagtail's publish action refuses there (see ``compat.wagtail_pages.check_before_publishing``)
# fails after the commit: in "Sync translated pages" with "Publish immediately", the first
# refused language stops the others and the user gets Wagtail's "no permission" page. The
# decision must come before: wagtail-localize has no hook in ``save_target``. Upstream: no
# wagtail-localize issue asks for one yet.


def publish_targets_only_if(may_publish):
    """Make ``Translation.save_target(publish=True)`` save a draft instead, unless
    ``may_publish(translation, user)`` is true."""
    from wagtail_localize.models import Translation

    original = Translation.__dict__["save_target"]
    original = getattr(original, "ukiyo_original", original)

    def save_target(self, user=None, publish=True):
        if publish and not may_publish(self, user):
            publish = False
        return original(self, user=user, publish=publish)

    save_target.ukiyo_original = original
    Translation.save_target = save_target
