from django import forms
from wagtail.admin.forms import WagtailAdminPageForm

from .slugs import (
    NO_SLUG_MESSAGE,
    has_marks,
    slugify_title,
    validate_slug,
    wagtail_client_slug,
)


class BasePageForm(WagtailAdminPageForm):
    """The page editor's form for every ukiyo page: slugs that keep every script intact."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # Django's unicode slug validator rejects Hindi and Thai vowel signs, and an empty
            # slug is built from the title (or explained) in clean_slug.
            self.fields["slug"].validators = [validate_slug]
            self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.data.get(self.add_prefix("slug"), "").strip()
        title = self.data.get(self.add_prefix("title"), "")
        proper = slugify_title(title)
        if not slug or (slug == wagtail_client_slug(title) and has_marks(title) and proper):
            # Empty, or built from the title by the editor's script, which drops vowel signs.
            slug = proper
        if not slug:
            raise forms.ValidationError(NO_SLUG_MESSAGE, code="no_slug")
        validate_slug(slug)
        return slug
