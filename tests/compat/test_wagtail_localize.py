"""compat.wagtail_localize: translated slugs keep every script."""

import inspect

import wagtail_localize.models
from wagtail_localize.models import TranslationSource

from core.slugs import slugify_title


def test_wagtail_localize_still_slugifies_translated_slugs_with_a_module_global():
    """The patch replaces the module's ``slugify``; if wagtail-localize stops calling it (or
    starts keeping unicode slugs itself), revisit compat.wagtail_localize."""
    source = inspect.getsource(TranslationSource.create_or_update_translation)
    assert "slugify(translation.slug)" in source


def test_translated_slugs_go_through_ukiyos_slugify():
    assert wagtail_localize.models.slugify is slugify_title
