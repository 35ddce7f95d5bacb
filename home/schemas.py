"""The API's shape of the plain pages' body (``home.blocks.PlainBodyBlock``), as types a
frontend can generate code from."""

from typing import Literal

from typing_extensions import TypedDict  # pydantic (API v3) needs it before Python 3.12

from api.v3.schemas import one_of


class PlainHeadingBlock(TypedDict):
    type: Literal["heading"]
    value: str
    id: str


class PlainParagraphBlock(TypedDict):
    type: Literal["paragraph"]
    value: str  # HTML
    id: str


PlainBodyItem = one_of(PlainHeadingBlock, PlainParagraphBlock)
PlainBody = list[PlainBodyItem]
