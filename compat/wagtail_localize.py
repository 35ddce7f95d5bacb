"""wagtail-localize: translated page slugs in every script; empty optional blocks.

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
