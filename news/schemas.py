"""The API's shape of an article's blocks, as types a frontend can generate code from.

Wagtail's API v3 types every StreamField as ``list[Any]``. The types here describe what the
blocks' ``get_api_representation`` really returns, block by block: the article's StreamBlocks
declare them as their ``api_type`` (``news.blocks``), so API v3 validates its answers against
them and publishes them in ``/api/v3/openapi.json`` as unions discriminated by ``type``
(``api.v3.schemas``). API v2 returns the same JSON, from the same methods.

The StreamFields are typed on the read side only: API v3 writes keep Wagtail's own input
schema, so a typed body stays writable.
"""

import datetime
from typing import Literal

from typing_extensions import TypedDict  # pydantic (API v3) needs it before Python 3.12

from api.images import ImageRendition, ImageSource
from api.v3.schemas import one_of


class Citation(TypedDict):
    """A cited reference, as a citation chip shows it: its number, title, URL and domain."""

    number: int
    title: str
    url: str
    domain: str


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


SectionContentItem = one_of(
    ParagraphBlock, ListBlock, QuoteBlock, ImageBlock, EmbedBlock, CalloutBlock
)


class SectionValue(TypedDict):
    heading: str
    content: list[SectionContentItem]
    number: int


class SectionBlock(TypedDict):
    type: Literal["section"]
    value: SectionValue
    id: str


ArticleBodyItem = one_of(SectionBlock)
ArticleBody = list[ArticleBodyItem]


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


ReferencesItem = one_of(ReferenceBlock)
References = list[ReferencesItem]
