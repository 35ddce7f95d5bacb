"""The scripts a site may run once a reader consents to their category.

The stream child name ``script`` is the stored JSON key: renaming it is a data migration.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .cookie import CATEGORY_LABELS, OPTIONAL_CATEGORIES, essential_cookie_names, matches

CATEGORY_CHOICES = [(category, CATEGORY_LABELS[category]) for category in OPTIONAL_CATEGORIES]

# The cookie names services use (_ga, __utma, IDE, _gcl_au); a trailing "*" makes a prefix.
COOKIE_PATTERN = re.compile(r"[A-Za-z0-9_.\-]+\*?")


def cookie_patterns(text):
    """The names and prefixes an editor typed, one per line or separated by commas."""
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


class ScriptValue(blocks.StructValue):
    @cached_property
    def cookie_patterns(self):
        return cookie_patterns(self.get("cookies"))

    @property
    def html(self):
        """The code as HTML: plain JavaScript gets its <script> element."""
        code = (self.get("code") or "").strip()
        return code if code.startswith("<") else f"<script>\n{code}\n</script>"

    def as_json(self):
        """What ``consent.js`` needs to run the script and to delete its cookies."""
        return {
            "category": self.get("category"),
            "name": self.get("name"),
            "html": self.html,
            "cookies": self.cookie_patterns,
        }


class ScriptBlock(blocks.StructBlock):
    """A third-party snippet (analytics, advertising, embeds) and the cookies it sets.

    It has no template on purpose: the code must never be rendered as live HTML. Pages carry
    it as inert JSON data, and ``consent.js`` runs it only once its category is granted.
    """

    category = blocks.ChoiceBlock(
        choices=CATEGORY_CHOICES,
        label=_("Category"),
        help_text=_("The script runs only for readers who allowed this category."),
    )
    name = blocks.CharBlock(
        max_length=100,
        label=_("Name"),
        help_text=_("Shown to readers on the Cookie Settings page, e.g. the name of the service."),
    )
    code = blocks.TextBlock(
        label=_("Code"),
        help_text=_(
            "The HTML snippet the service provides, with its <script> tags, or plain JavaScript."
        ),
    )
    cookies = blocks.TextBlock(
        required=False,
        rows=2,
        label=_("Cookies"),
        help_text=_(
            "The cookies this script sets, one per line or separated by commas. End a name "
            "with * to include every cookie that starts with it (_ga_*). They are deleted "
            "when a reader withdraws consent."
        ),
    )

    class Meta:
        icon = "code"
        label = _("Script")
        value_class = ScriptValue
        description = _("A script that runs only after the reader consents to its category.")

    def clean(self, value):
        value = super().clean(value)
        patterns = cookie_patterns(value.get("cookies"))
        invalid = [pattern for pattern in patterns if not COOKIE_PATTERN.fullmatch(pattern)]
        if invalid:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "cookies": ValidationError(
                        _(
                            "Not a cookie name: %(names)s. Use letters, digits and _ - . "
                            "only, with an optional * at the end."
                        ),
                        params={"names": ", ".join(invalid)},
                    )
                }
            )
        essential = sorted(name for name in essential_cookie_names() if matches(name, patterns))
        if essential:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "cookies": ValidationError(
                        _(
                            "These names include cookies the site needs to work, which are "
                            "never deleted: %(names)s."
                        ),
                        params={"names": ", ".join(essential)},
                    )
                }
            )
        return value


class ScriptsBlock(blocks.StreamBlock):
    script = ScriptBlock()
