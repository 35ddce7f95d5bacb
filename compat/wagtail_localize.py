"""wagtail-localize: translated page slugs in every script.

When wagtail-localize creates or updates a translated page, it passes the translated slug
through Django's ASCII-only ``slugify`` (``wagtail_localize.models``, in
``TranslationSource.create_or_update_translation``), without ``allow_unicode`` and without
reading ``WAGTAIL_ALLOW_UNICODE_SLUGS``. A Japanese, Chinese, Korean, Thai or Hindi slug comes
out empty and an accented one loses its accents.

Upstream: no wagtail-localize issue reports it yet. Wagtail fixed the same bug in its own
slug generation (https://github.com/wagtail/wagtail/issues/5805); wagtail-localize has no
setting or hook for it.
"""

import wagtail_localize.models


def use_slugify(slugify):
    """Make wagtail-localize build translated slugs with ``slugify`` (one argument)."""
    wagtail_localize.models.slugify = slugify
