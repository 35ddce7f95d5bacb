from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .schemas import PlainBody


class PlainBodyBlock(blocks.StreamBlock):
    """The body of the site's plain pages (legal texts, contact details): headings and
    paragraphs."""

    heading = blocks.CharBlock(form_classname="title", icon="title", label=_("Heading"))
    paragraph = blocks.RichTextBlock(features=settings.RICH_TEXT_PARAGRAPH, label=_("Paragraph"))

    # The type of get_api_representation's answer, for the OpenAPI document (api.v3.schemas).
    api_type = PlainBody
