"""compat.wagtail_localize: translated slugs keep every script; empty blocks translate."""

import inspect

import pytest
import wagtail_localize.models
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail_localize.models import TranslationSource
from wagtail_localize.segments.extract import StreamFieldSegmentExtractor

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
