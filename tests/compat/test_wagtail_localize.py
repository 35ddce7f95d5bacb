"""compat.wagtail_localize: translated slugs keep every script; empty blocks translate;
translating takes edit rights."""

import inspect
from datetime import UTC, datetime

import pytest
import wagtail_localize.models
from django.utils.translation import override
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.segments.extract import StreamFieldSegmentExtractor
from wagtail_localize.views.report import TranslationsReportView
from wagtail_localize.views.submit_translations import (
    SubmitPageTranslationView,
    SubmitSnippetTranslationView,
    SubmitTranslationView,
)
from wagtail_localize.views.update_translations import UpdateTranslationsView
from wagtail_localize.wagtail_hooks import TranslationsReportMenuItem

from core.slugs import slugify_title


def test_wagtail_localize_still_slugifies_translated_slugs_with_a_module_global():
    """The patch replaces the module's ``slugify``; if wagtail-localize stops calling it (or
    starts keeping unicode slugs itself), revisit compat.wagtail_localize."""
    source = inspect.getsource(TranslationSource.create_or_update_translation)
    assert "slugify(translation.slug)" in source


def test_translated_slugs_go_through_ukiyos_slugify():
    assert wagtail_localize.models.slugify is slugify_title


def test_wagtail_localize_still_fails_on_an_empty_text_block():
    """The upstream extractor still raises on a null CharBlock value (wagtail-localize#690):
    once it returns no segment itself, compat.wagtail_localize.skip_empty_blocks can go."""
    upstream = StreamFieldSegmentExtractor.handle_block.__wrapped__
    with pytest.raises(TypeError):
        upstream(StreamFieldSegmentExtractor(None), blocks.CharBlock(required=False), None)


def test_empty_blocks_give_no_segment():
    extractor = StreamFieldSegmentExtractor(None)
    assert extractor.handle_block(blocks.CharBlock(required=False), None) == []
    assert extractor.handle_block(EmbedBlock(required=False), None) == []
    # A real value still gives its segment.
    (segment,) = extractor.handle_block(blocks.CharBlock(), "Mission team")
    assert segment.render_text() == "Mission team"


def test_wagtail_localize_still_checks_only_the_global_permission_then_reads_the_object():
    """The patch checks the object in ``get_object()``, which each view's ``dispatch`` calls
    after its own check of "Can submit translations". If wagtail-localize starts checking the
    user's right to edit the object itself, or reads its object some other way, revisit
    compat.wagtail_localize.refuse_objects_the_user_may_not_edit."""
    for view in (SubmitTranslationView, UpdateTranslationsView):
        source = inspect.getsource(view.dispatch)
        assert 'has_perms(["wagtail_localize.submit_translation"])' in source
        assert "self.object = self.get_object()" in source
        assert "permissions_for_user" not in source
    for view in (SubmitPageTranslationView, SubmitSnippetTranslationView, UpdateTranslationsView):
        assert "ukiyo_unchecked" in view.__dict__["get_object"].__dict__, view
        unchecked = inspect.getsource(view.get_object.ukiyo_unchecked)
        assert "permission" not in unchecked


def test_wagtail_localize_still_reports_every_translation_to_every_admin_user():
    """The patch filters the Translations report's queryset; if wagtail-localize starts
    filtering it by the user itself, or builds the list some other way, revisit
    compat.wagtail_localize.restrict_translations_report."""
    patched = TranslationsReportView.__dict__["get_queryset"]
    assert "ukiyo_unrestricted" in patched.__dict__
    unrestricted = inspect.getsource(patched.ukiyo_unrestricted)
    assert "Translation.objects" in unrestricted
    assert "user" not in unrestricted
    assert TranslationsReportMenuItem.is_shown(None, None) is True


def test_the_translation_editor_still_shows_get_comment():
    """compat.wagtail_localize.comment_segments_with replaces get_comment, which the editor's
    serializer reads by name; if it reads something else, segments lose their review state."""
    from wagtail_localize.views.edit_translation import StringTranslationSerializer

    field = StringTranslationSerializer().fields["comment"]
    assert field.source == "get_comment"
    original = StringTranslation.get_comment.ukiyo_original
    assert "Translated manually on" in inspect.getsource(original)


def test_segments_are_commented_by_ukiyo():
    translation = StringTranslation(
        translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE,
        tool_name="DeepL",
        updated_at=datetime(2026, 12, 6, 12, tzinfo=UTC),
    )
    with override("en"):
        assert translation.get_comment() == "Machine translation (DeepL, 2026-12-06): needs review"


def test_wagtail_localize_still_publishes_a_translation_after_the_commit_without_its_user():
    """compat.wagtail_localize.publish_targets_only_if decides in save_target, because the
    publication itself runs on commit with no user; if wagtail-localize passes the user one day,
    the decision could move to the publish action's check alone."""
    source = inspect.getsource(TranslationSource.create_or_update_translation)
    assert "transaction.on_commit(new_revision.publish)" in source
    original = Translation.save_target.ukiyo_original
    assert list(inspect.signature(original).parameters) == ["self", "user", "publish"]
    assert "create_or_update_translation" in inspect.getsource(original)
