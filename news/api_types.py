"""The API's shape of StreamField blocks and images, as types a frontend can generate code from.

Wagtail's API v3 types every StreamField as ``list[Any]``. The types here describe what the
blocks' ``get_api_representation`` really returns, block by block: API v3 validates its answers
against them and publishes them in ``/api/v3/openapi.json`` as unions discriminated by
``type``. API v2 returns the same JSON, from the same ``get_api_representation`` methods.

``register_typed_streamfields`` (called from ``NewsConfig.ready``) gives API v3 these types.
The StreamFields are typed on the read side only: API v3 writes keep Wagtail's own input
schema, so a typed body stays writable.
"""

import datetime
import sys
from typing import Annotated, Literal, Union

from django.core.exceptions import ImproperlyConfigured
from pydantic import Field
from rest_framework.fields import Field as SerializerField
from typing_extensions import TypedDict  # pydantic (API v3) needs it before Python 3.12

from cms.api_common import api_base

# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------

# The widths a frontend picks from with ``srcset``: phones, tablets, desktops, wide screens.
SRCSET_WIDTHS = (480, 800, 1200, 1600)
SRCSET_SPECS = tuple(f"width-{width}|format-webp" for width in SRCSET_WIDTHS)


class ImageRendition(TypedDict):
    """One rendition, as Wagtail's ``ImageRenditionField`` gives it (API v2's own shape)."""

    url: str
    full_url: str
    width: int
    height: int
    alt: str


class ImageSource(TypedDict):
    """One WebP rendition of a ``srcset``; ``url`` is absolute."""

    url: str
    width: int
    height: int


class ResponsiveImage(TypedDict):
    """An image at every width it has, narrowest first, with its alternative text."""

    id: int
    alt: str
    renditions: list[ImageSource]
    srcset: str


def srcset_specs(image):
    """The specs of ``image``'s renditions: never wider than the image itself.

    Wagtail's ``width-`` filter does not enlarge an image, so one spec at or above the
    original's width gives the original size; any wider spec would repeat it.
    """
    specs = []
    for width, spec in zip(SRCSET_WIDTHS, SRCSET_SPECS, strict=True):
        specs.append(spec)
        if width >= image.width:
            break
    return specs


def absolute_media_url(url):
    """Media served by this site has a path for a URL; a frontend elsewhere needs the host."""
    if url.startswith("/"):
        return api_base() + url
    return url


def image_sources(image, renditions=None):
    """``image``'s WebP renditions, narrowest first, for ``srcset``.

    ``renditions`` (spec → rendition) can hold renditions already fetched with
    ``image.get_renditions`` along with others; the missing ones are fetched (and created) in
    one go, from the prefetched renditions when the caller prefetched them.
    """
    specs = srcset_specs(image)
    renditions = renditions or {}
    if any(spec not in renditions for spec in specs):
        renditions = {**renditions, **image.get_renditions(*specs)}
    return [
        {
            "url": absolute_media_url(renditions[spec].url),
            "width": renditions[spec].width,
            "height": renditions[spec].height,
        }
        for spec in specs
    ]


def srcset(sources):
    return ", ".join(f"{source['url']} {source['width']}w" for source in sources)


def responsive_image(image, alt=None) -> ResponsiveImage:
    """The JSON of an image for a ``<img srcset>``: call it for lead and card images.

    ``alt`` defaults to the image's own alternative text (its description in the image
    library); pass ``""`` for a decorative image.
    """
    sources = image_sources(image)
    return {
        "id": image.pk,
        "alt": image.default_alt_text if alt is None else alt,
        "renditions": sources,
        "srcset": srcset(sources),
    }


class ResponsiveImageField(SerializerField):
    """An image field (e.g. ``source="lead_image"``) as a ``ResponsiveImage``, or ``null``."""

    def to_representation(self, image) -> ResponsiveImage:
        return responsive_image(image)


# ---------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------


class Citation(TypedDict):
    """A cited reference, as a citation chip shows it: its number, title, URL and domain."""

    number: int
    title: str
    url: str
    domain: str


def cited_references(numbers, context):
    """The references of the page in ``context`` that ``numbers`` cite, in the cited order.

    Both APIs put the page being serialised in the blocks' context (``context["page"]``), as
    Wagtail does when it renders a page's template. A number without a reference (a draft in
    progress) is left out rather than failing the whole page.
    """
    page = (context or {}).get("page")
    if page is None or not hasattr(page, "citations"):
        return []
    return [
        {
            "number": number,
            "title": reference.get("title") or "",
            "url": reference.get("url") or "",
            "domain": reference.domain,
        }
        for number, reference in page.citations(numbers)
    ]


# ---------------------------------------------------------------------------
# Article blocks (news.blocks)
# ---------------------------------------------------------------------------


def one_of(*members):
    """A block of any of ``members``, told apart by its ``type`` (OpenAPI ``discriminator``)."""
    return Annotated[Union[members], Field(discriminator="type")]  # noqa: UP007


class ParagraphValue(TypedDict):
    text: str
    sources: list[int]
    citations: list[Citation]


class NestedListItem(TypedDict):
    text: str
    sources: list[int]
    citations: list[Citation]


class ListItem(TypedDict):
    text: str
    sources: list[int]
    children: list[NestedListItem]
    citations: list[Citation]


class ListValue(TypedDict):
    style: Literal["bulleted", "numbered"]
    items: list[ListItem]


class QuoteValue(TypedDict):
    text: str
    attribution: str
    sources: list[int]
    citations: list[Citation]


class ImageValue(TypedDict):
    """A body image; ``image`` is null (and the renditions empty) once the image is deleted.

    ``rendition`` is the 1200-pixel WebP rendition API v2 always had; ``renditions`` and
    ``srcset`` give every width. ``alt_text`` is empty for a decorative image.
    """

    image: int | None
    alt_text: str
    decorative: bool
    caption: str
    credit: str
    rendition: ImageRendition | None
    renditions: list[ImageSource]
    srcset: str


class EmbedValue(TypedDict):
    url: str
    caption: str


class CalloutValue(TypedDict):
    tone: Literal["info", "note", "warning"]
    title: str
    text: str


class ParagraphBlock(TypedDict):
    type: Literal["paragraph"]
    value: ParagraphValue
    id: str


class ListBlock(TypedDict):
    type: Literal["list"]
    value: ListValue
    id: str


class QuoteBlock(TypedDict):
    type: Literal["quote"]
    value: QuoteValue
    id: str


class ImageBlock(TypedDict):
    type: Literal["image"]
    value: ImageValue
    id: str


class EmbedBlock(TypedDict):
    type: Literal["embed"]
    value: EmbedValue
    id: str


class CalloutBlock(TypedDict):
    type: Literal["callout"]
    value: CalloutValue
    id: str


SectionContentBlock = one_of(
    ParagraphBlock, ListBlock, QuoteBlock, ImageBlock, EmbedBlock, CalloutBlock
)


class SectionValue(TypedDict):
    heading: str
    content: list[SectionContentBlock]
    number: int


class SectionBlock(TypedDict):
    type: Literal["section"]
    value: SectionValue
    id: str


ArticleBodyBlock = one_of(SectionBlock)
ArticleBody = list[ArticleBodyBlock]


class ReferenceValue(TypedDict):
    title: str
    publisher: str
    url: str
    published: datetime.date | None
    domain: str
    number: int


class ReferenceBlock(TypedDict):
    type: Literal["reference"]
    value: ReferenceValue
    id: str


ReferencesItemBlock = one_of(ReferenceBlock)
References = list[ReferencesItemBlock]


# ---------------------------------------------------------------------------
# Plain page bodies (home.models.plain_body)
# ---------------------------------------------------------------------------


class PlainHeadingBlock(TypedDict):
    type: Literal["heading"]
    value: str
    id: str


class PlainParagraphBlock(TypedDict):
    type: Literal["paragraph"]
    value: str  # HTML
    id: str


PlainBodyBlock = one_of(PlainHeadingBlock, PlainParagraphBlock)
PlainBody = list[PlainBodyBlock]


# The type of every StreamField the pages expose, by "<app_label>.<Model>.<field>".
STREAMFIELD_TYPES = {
    "news.ArticlePage.body": ArticleBody,
    "news.ArticlePage.references": References,
    "home.StandardPage.body": PlainBody,
    "home.ContactPage.body": PlainBody,
}


# ---------------------------------------------------------------------------
# API v3
# ---------------------------------------------------------------------------


def register_typed_streamfields():
    """Give API v3's read schemas the types above instead of ``list[Any]``.

    Wagtail builds every page schema once, when ``wagtail.api.v3.registry`` is first imported
    (``wagtail.contrib.redirects`` does so from its ``ready()``); the StreamField typing must
    be registered before that, hence from ``NewsConfig.ready`` (``news`` comes first in
    ``INSTALLED_APPS``).
    """
    if "wagtail.api.v3.registry" in sys.modules:
        raise ImproperlyConfigured(
            "API v3 built its page schemas before news.api_types typed the StreamFields: "
            "keep 'news' above the wagtail apps in INSTALLED_APPS, and import no "
            "wagtail.api.v3 module while models load."
        )
    from wagtail.api.v3.schemas.generators.read import read_generator, streamfield_schema
    from wagtail.fields import StreamField

    read_generator.register_field_schema(
        StreamField,
        lambda generator, field: (
            typed_streamfield_schema(field) or streamfield_schema(generator, field)
        ),
    )


def typed_streamfield_schema(field):
    """(type, default, resolver) of a StreamField listed in ``STREAMFIELD_TYPES``, or None."""
    block_type = STREAMFIELD_TYPES.get(f"{field.model._meta.label}.{field.name}")
    if block_type is None:
        return None
    name = field.name

    def resolve(obj, context):
        value = getattr(obj, name)
        # The same representation as API v2, with the page in the blocks' context.
        return value.stream_block.get_api_representation(value, {**context, "page": obj})

    return block_type, ..., staticmethod(resolve)
