"""The blocks an article is composed of.

The stream child names (``section``, ``paragraph``, ``list``, ``quote``, ``image``, ``embed``,
``callout``, ``reference``) are the stored JSON keys and the API ``type`` values: renaming one
is a data migration and a breaking API change.

Derived values (a section's number, a reference's domain, the sources a citation points at)
are computed here or on the page model, never in templates.
"""

import copy
import re
import unicodedata
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds import embeds
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.exceptions import EmbedException
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page

from api.images import image_sources, rendition_payload, srcset, srcset_specs
from core import editing
from core.renditions import renditions_or_none
from core.rich_text import resolved_page_links

from . import citations
from .schemas import ArticleBody, References

# The one rendition of a body image, for the page (news/blocks/figure.html) and the API alike.
FIGURE_RENDITION = "width-1200|format-webp"

# The body figures' images whose renditions renditions_together() will fetch.
_images_waiting = ContextVar("images_waiting", default=None)


@contextmanager
def renditions_together(*images):
    """The renditions of ``images`` and of every body figure read inside, in one query.

    A figure's images otherwise fetch their renditions when the body is read, and a page's
    lead image in a query of its own. Every rendition of each image is fetched, as
    ``FigureBlock.bulk_to_python`` explains.
    """
    waiting = [image for image in images if image is not None]
    token = _images_waiting.set(waiting)
    try:
        yield
    finally:
        _images_waiting.reset(token)
    prefetch_related_objects(waiting, "renditions")
    # An image shown twice (a lead image that is also a figure) is two instances, each with
    # its own alt text; Django gives both the same rendition objects, whose ``image`` (read
    # by ``rendition.alt``) is one of them. Each instance gets renditions of its own.
    counts = Counter(image.pk for image in waiting)
    for image in waiting:
        if counts[image.pk] > 1:
            renditions = image._prefetched_objects_cache["renditions"]
            renditions._result_cache = [_owned(rendition, image) for rendition in renditions]


def _owned(rendition, image):
    owned = copy.copy(rendition)
    owned._state = copy.copy(rendition._state)
    owned._state.fields_cache = {}
    owned.image = image
    return owned


# ---------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------

# Between source numbers: a comma (a full-width "，" is one after NFKC) or Japanese's "、".
CITATION_SEPARATORS = re.compile(r"[,、]")
# One number as typed, after NFKC: digits of any script ("２", "٢", "२"), maybe a sign.
CITATION_NUMBER = re.compile(r"[+\-−]?\d+")


class CitationsField(forms.CharField):
    """A comma-separated list of source numbers typed by the editor, e.g. ``1, 3``.

    What an editor types in any script is read the way they mean it: full-width digits and
    commas (``１，３``), other compatibility forms (NFKC), digits of other scripts, and the
    Japanese comma (``1、3``).
    """

    default_error_messages = {
        "invalid": _(
            "Enter source numbers from the reference list separated by commas, e.g. 1, 3."
        ),
        "not_positive": _("Source numbers start at 1: %(number)s is not a source."),
        "too_large": _("Source numbers go up to %(max)d: %(number)s is not a source."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return []
        numbers = []
        for part in CITATION_SEPARATORS.split(unicodedata.normalize("NFKC", value)):
            numbers.append(self.number(part.strip()))
        return list(dict.fromkeys(numbers))

    def number(self, typed):
        if not CITATION_NUMBER.fullmatch(typed):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        negative = typed[0] in "-−"
        # Digits of any script as ASCII ("२" is 2), without leading zeros.
        digits = "".join(str(unicodedata.decimal(digit)) for digit in typed.lstrip("+-−"))
        digits = digits.lstrip("0") or "0"
        shown = ("-" if negative else "") + digits[:12] + ("…" if len(digits) > 12 else "")
        if negative or digits == "0":
            raise ValidationError(
                self.error_messages["not_positive"], code="not_positive", params={"number": shown}
            )
        # Compared as text first: int() refuses numbers of thousands of digits.
        if len(digits) > len(str(citations.MAX_SOURCE_NUMBER)) or (
            int(digits) > citations.MAX_SOURCE_NUMBER
        ):
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"number": shown, "max": citations.MAX_SOURCE_NUMBER},
            )
        return int(digits)


class CitationsBlock(blocks.FieldBlock):
    """Numbers (1-based) of the article's references that a paragraph or list item cites.

    Stored as a JSON list of integers. It is deliberately not a ``CharBlock``: numbers are not
    text, so wagtail-localize synchronises them instead of offering them for translation.

    While a form validates an article (``news.citations.reference_list_of``), each block also
    checks that the numbers it cites are in the reference list, so that the error is shown at
    the paragraph, list item or quote that cites a missing source. Drafts are checked too; the
    editor's background requests (autosave, preview) are not (``core.editing``).
    """

    def __init__(self, required=False, **kwargs):
        # The block's own label too: without one, Wagtail names the block after its field name
        # ("Sources", in English whatever the admin's language).
        label = kwargs.pop("label", _("Sources"))
        self.field = CitationsField(
            required=required,
            label=label,
            help_text=kwargs.pop(
                "help_text",
                _("Numbers of the cited sources in the reference list, e.g. 1, 3."),
            ),
        )
        super().__init__(label=label, **kwargs)

    def clean(self, value):
        numbers = super().clean(value)
        count = citations.reference_count()
        if count is not None and not editing.in_background():
            missing = citations.beyond_references(numbers, count)
            if missing:
                raise ValidationError(
                    citations.missing_sources_message(missing, count), code="unknown_source"
                )
        return numbers

    def get_default(self):
        return []

    def to_python(self, value):
        if not value:
            return []
        return [int(number) for number in value if str(number).isdigit()]

    def get_prep_value(self, value):
        return [int(number) for number in value or []]

    def value_for_form(self, value):
        if isinstance(value, str):  # text the editor typed that did not parse
            return value
        return ", ".join(str(number) for number in value or [])

    def value_from_form(self, value):
        if isinstance(value, list):
            return value
        try:
            return self.field.to_python(value)
        except ValidationError:
            # Keep the typed text so that ``clean`` reports it next to the field.
            return value

    def get_api_representation(self, value, context=None):
        return list(value or [])

    class Meta:
        icon = "link"
        default = []


class CitingStructValue(blocks.StructValue):
    """Shared by every block that can cite sources."""

    def sources(self):
        return self.get("sources") or []


def _citations(value, context):
    """The references a block cites, for the API: both APIs put the page being serialised in
    the blocks' context, as Wagtail's templates do."""
    return citations.citations_json((context or {}).get("page"), value.sources())


# ---------------------------------------------------------------------------
# Inline content
# ---------------------------------------------------------------------------


class ParagraphBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(features=settings.RICH_TEXT_PARAGRAPH, label=_("Text"))
    sources = CitationsBlock()

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        template = "news/blocks/paragraph.html"
        value_class = CitingStructValue
        description = _("A paragraph of text that can cite sources from the reference list.")
        preview_value = {
            "text": "<p>Scientists confirmed the landing site from orbit.</p>",
            "sources": [1],
        }

    def get_api_representation(self, value, context=None):
        representation = super().get_api_representation(value, context=context)
        representation["citations"] = _citations(value, context)
        return representation


class ListItemBlock(blocks.StructBlock):
    """A list item; ``NestedListItemBlock`` is the same without further nesting."""

    text = blocks.RichTextBlock(features=settings.RICH_TEXT_INLINE, label=_("Text"))
    sources = CitationsBlock()

    class Meta:
        icon = "list-ul"
        label = _("Item")
        value_class = CitingStructValue

    def get_api_representation(self, value, context=None):
        representation = super().get_api_representation(value, context=context)
        representation["citations"] = _citations(value, context)
        return representation


class NestedListItemBlock(ListItemBlock):
    pass


class TopListItemBlock(ListItemBlock):
    children = blocks.ListBlock(
        NestedListItemBlock(),
        default=[],
        label=_("Nested items"),
        help_text=_("One level of nesting, shown indented under this item."),
        collapsed=True,
    )


class ListBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(
        choices=[("bulleted", _("Bulleted")), ("numbered", _("Numbered"))],
        default="bulleted",
        label=_("Style"),
        # How the list looks is no word of the article: never searched, never in an extract.
        search_index=False,
    )
    items = blocks.ListBlock(TopListItemBlock(), min_num=1, label=_("Items"))

    class Meta:
        icon = "list-ul"
        label = _("List")
        label_format = "{items}"
        template = "news/blocks/list.html"
        description = _("A bulleted or numbered list, nested one level deep.")
        preview_value = {
            "style": "numbered",
            "items": [
                {"text": "<p>Collect samples</p>", "sources": [], "children": []},
                {"text": "<p>Return them to Earth</p>", "sources": [], "children": []},
            ],
        }


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(required=False, label=_("Attribution"))
    sources = CitationsBlock()

    class Meta:
        icon = "openquote"
        label = _("Quote")
        label_format = "{text}"
        template = "news/blocks/quote.html"
        value_class = CitingStructValue
        description = _("A quotation with its attribution.")
        preview_value = {
            "text": "We learned more from this landing than from any simulation.",
            "attribution": "Mission team",
        }

    def get_api_representation(self, value, context=None):
        representation = super().get_api_representation(value, context=context)
        representation["attribution"] = representation["attribution"] or ""
        representation["citations"] = _citations(value, context)
        return representation


class FigureValue(blocks.StructValue):
    def alt_text(self):
        image = self.get("image")
        return getattr(image, "contextual_alt_text", "") or ""


class LabelledImageBlock(ImageBlock):
    """Wagtail's ``ImageBlock`` whose image chooser is labelled in the editor's language.

    Wagtail gives the chooser inside no label, so the editor shows its field name, "Image",
    in English whatever the admin's language (no upstream issue yet).
    """

    def __init__(self, required=True, **kwargs):
        super().__init__(required=required, **kwargs)
        self.child_blocks["image"].label = _("Image")


class FigureBlock(blocks.StructBlock):
    """An image in the body: per-use alt text (Wagtail's ``ImageBlock``), caption and credit."""

    image = LabelledImageBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, label=_("Caption"))
    credit = blocks.CharBlock(required=False, label=_("Credit"))

    class Meta:
        icon = "image"
        label = _("Image")
        template = "news/blocks/figure.html"
        value_class = FigureValue
        description = _("An image with alt text, caption and credit.")

    def bulk_to_python(self, values):
        figures = super().bulk_to_python(values)
        # The renditions of every figure of a body in one query, however many there are.
        # Wagtail takes a prefetched list as complete, and creates what it lacks through the
        # same prefetched relation: every rendition of the images is fetched, not only the
        # specs the page template and the API ask for, or a spec asked elsewhere (the admin's
        # image chooser thumbnail) would be created again on the next request, and the unique
        # constraint would answer with a 500.
        images = [figure["image"] for figure in figures if figure.get("image")]
        waiting = _images_waiting.get()
        if waiting is not None:
            waiting.extend(images)  # renditions_together() fetches them with the others
        else:
            prefetch_related_objects(images, "renditions")
        return figures

    def get_api_representation(self, value, context=None):
        image = value.get("image")
        representation = {
            "image": image.pk if image else None,
            "alt_text": value.alt_text(),
            "decorative": bool(getattr(image, "decorative", False)),
            "caption": value.get("caption") or "",
            "credit": value.get("credit") or "",
            "rendition": None,
            "renditions": [],
            "srcset": "",
        }
        if image:
            # Every rendition of the figure in one call: one lookup, and none when prefetched.
            renditions = renditions_or_none(image, FIGURE_RENDITION, *srcset_specs(image))
            if renditions is not None:  # else its original cannot be read now
                sources = image_sources(image, renditions)
                representation["rendition"] = rendition_payload(image, renditions[FIGURE_RENDITION])
                representation["renditions"] = sources
                representation["srcset"] = srcset(sources)
        return representation


class EmbedFigureBlock(blocks.StructBlock):
    embed = EmbedBlock(label=_("Embed URL"), help_text=_("A video, post or map URL."))
    caption = blocks.CharBlock(required=False, label=_("Caption"))

    class Meta:
        icon = "media"
        label = _("Embed")
        template = "news/blocks/embed.html"
        description = _("Embedded media from a URL (video, social post, map).")

    def get_api_representation(self, value, context=None):
        embed = value.get("embed")
        return {"url": embed.url if embed else "", "caption": value.get("caption") or ""}

    def get_context(self, value, parent_context=None):
        # The provider's name for the consent placeholder (embed.html). Wagtail keeps fetched
        # embeds in the database, so the template's HTML then comes from there.
        context = super().get_context(value, parent_context=parent_context)
        context["provider_name"] = ""
        embed = value.get("embed")
        if embed:
            try:
                found = embeds.get_embed(embed.url, embed.max_width, embed.max_height)
            except EmbedException:
                found = None
            context["provider_name"] = (found.provider_name if found else "") or ""
        return context


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("note", _("Note")), ("warning", _("Warning"))],
        default="info",
        label=_("Tone"),
        search_index=False,
    )
    title = blocks.CharBlock(required=False, label=_("Title"))
    text = blocks.RichTextBlock(features=settings.RICH_TEXT_PARAGRAPH, label=_("Text"))

    class Meta:
        icon = "info-circle"
        label = _("Callout")
        label_format = "{title}"
        template = "news/blocks/callout.html"
        description = _("A highlighted box: background, a note or a warning.")
        preview_value = {
            "tone": "info",
            "title": "Background",
            "text": "<p>A lunar night lasts about two weeks.</p>",
        }

    def get_api_representation(self, value, context=None):
        representation = super().get_api_representation(value, context=context)
        representation["title"] = representation["title"] or ""
        return representation


class SectionContentBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    list = ListBlock()
    quote = QuoteBlock()
    image = FigureBlock()
    embed = EmbedFigureBlock()
    callout = CalloutBlock()

    class Meta:
        min_num = 1


class SectionHeadingBlock(blocks.CharBlock):
    """A section's heading, required in a draft too.

    Wagtail lets a draft leave required fields empty ("Save draft" defers them). A section
    without its heading is not an unfinished draft but a broken one: its number, the collapsed
    block's label and its translation all hang on it. So a draft saved on purpose needs it;
    the editor's background saves (autosave, preview) do not (``core.editing``), so that a
    section just added does not pause autosave.
    """

    def defer_required_validation(self):
        super().defer_required_validation()
        self.field.required = self._original_required and not editing.in_background()


class SectionBlock(blocks.StructBlock):
    heading = SectionHeadingBlock(
        label=_("Heading"),
        help_text=_("Without a number: sections are numbered automatically."),
    )
    content = SectionContentBlock(label=_("Content"))

    class Meta:
        icon = "doc-full"
        label = _("Section")
        # A collapsed section reads its heading.
        label_format = "{heading}"
        template = "news/blocks/section.html"
        description = _("A numbered section with its heading and content.")


class ArticleBodyBlock(blocks.StreamBlock):
    """The article body: a stream of sections, numbered in order."""

    section = SectionBlock()

    # The type of get_api_representation's answer, for the OpenAPI document (api.v3.schemas).
    api_type = ArticleBody

    class Meta:
        min_num = 1

    def get_api_representation(self, value, context=None):
        with resolved_page_links(self.linked_page_ids(value)):
            representation = super().get_api_representation(value, context=context)
        for number, item in enumerate(representation, start=1):
            item["value"]["number"] = number
        return representation

    def linked_page_ids(self, value):
        """The pages that rich text anywhere in the body links to."""
        return {
            int(object_id)
            for model, object_id, _path, _content_path in self.extract_references(value)
            if issubclass(model, Page)
        }


# ---------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------


class ReferenceValue(blocks.StructValue):
    @cached_property
    def domain(self):
        """The source's host name without ``www.``, as shown on citation chips."""
        host = urlsplit(self.get("url") or "").hostname or ""
        return host.removeprefix("www.")


class ReferenceBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    publisher = blocks.CharBlock(required=False, label=_("Publisher"))
    url = blocks.URLBlock(label=_("URL"))
    published = blocks.DateBlock(required=False, label=_("Published date"))

    class Meta:
        icon = "link-external"
        label = _("Reference")
        label_format = "{title}"
        value_class = ReferenceValue
        description = _("A source of the article, cited by its number.")

    def get_api_representation(self, value, context=None):
        representation = super().get_api_representation(value, context=context)
        representation["publisher"] = representation["publisher"] or ""
        representation["domain"] = value.domain
        return representation


class ReferencesBlock(blocks.StreamBlock):
    reference = ReferenceBlock()

    api_type = References

    def get_api_representation(self, value, context=None):
        representation = super().get_api_representation(value, context=context)
        for number, item in enumerate(representation, start=1):
            item["value"]["number"] = number
        return representation
