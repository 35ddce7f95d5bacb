"""URL slugs that keep every script readable.

Django's ``slugify(allow_unicode=True)`` and its ``validate_unicode_slug`` only keep letters and
digits, so Hindi and Thai lose their vowel signs (``हिंदी`` → ``हद``) and a correctly spelled
Hindi or Thai slug is rejected. Here a slug is letters, digits and combining marks (Unicode
categories L, N and M), separated by single hyphens: readable in every language, and
percent-encoded in URLs like any other non-ASCII path.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 80
NO_SLUG_MESSAGE = _(
    "The title has no letters or digits to build the page's address from. "
    "Enter a slug, for example in Latin letters."
)
_HYPHENS = re.compile(r"-{2,}")


def _is_word_char(char):
    return unicodedata.category(char)[0] in "LNM"


def slugify_title(text, max_length=MAX_LENGTH):
    """A slug for ``text`` in any script; empty when it has no letters or digits (emoji only)."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    slug = "".join(char if _is_word_char(char) or char == "_" else "-" for char in text)
    slug = _HYPHENS.sub("-", slug).strip("-_")
    if not any(unicodedata.category(char)[0] in "LN" for char in slug):
        return ""
    return slug[:max_length].rstrip("-")


def wagtail_client_slug(text):
    """The slug Wagtail's page editor builds from a title as the editor types.

    Its script keeps letters, digits, ``_`` and ``-`` only, so it drops the vowel signs of
    Hindi and Thai; the page form uses this to recognise such a slug and replace it.
    """
    text = re.sub(r"\s+", "-", str(text or "")).lower()
    return "".join(char for char in text if unicodedata.category(char)[0] in "LN" or char in "_-")


def has_marks(text):
    """Whether ``text`` has combining marks (Hindi and Thai vowel signs, for instance)."""
    return any(unicodedata.category(char)[0] == "M" for char in str(text or ""))


def validate_slug(value):
    if not value or not all(_is_word_char(char) or char in "-_" for char in value):
        raise ValidationError(
            _("Use letters, digits and hyphens only in the slug (any script)."), code="invalid"
        )
    if not any(unicodedata.category(char)[0] in "LN" for char in value):
        raise ValidationError(_("The slug needs at least one letter or digit."), code="invalid")
