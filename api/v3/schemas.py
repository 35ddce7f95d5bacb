"""Pieces of the v3 contract that any page type or app uses.

- ``typed_streamfield``: a StreamField whose stream block declares ``api_type`` (a type the
  block's ``get_api_representation`` returns, e.g. ``list[Annotated[Union[...], ...]]``) is
  typed with it in the read schemas and the OpenAPI document, instead of Wagtail's
  ``list[Any]``. Given to Wagtail by ``compat.wagtail_api.type_streamfields``.
- ``one_of``: a block of any of several types, told apart by ``type``.
- ``FallbackMarks`` (``FallbackFields``, ``fallback_marks``): how an item answers ``?locale=``
  with ``fallback=`` (``api.languages``).
"""

from typing import Annotated, Union

from ninja import Field, Schema
from pydantic import Field as PydanticField

from api.parts import stream_representation


def one_of(*members):
    """A block of any of ``members``, told apart by its ``type`` (OpenAPI ``discriminator``)."""
    return Annotated[Union[members], PydanticField(discriminator="type")]  # noqa: UP007


def typed_streamfield(field):
    """``(type, default, resolver)`` of a StreamField whose block declares ``api_type``."""
    api_type = getattr(field.stream_block, "api_type", None)
    if api_type is None:
        return None
    name = field.name

    def resolve(obj, context):
        value = getattr(obj, name)
        # The same representation as API v2, with the page in the blocks' context (as in
        # Wagtail's templates): citations resolve to the page's references. Kept for a page
        # read live (api.parts).
        return stream_representation(obj, name, value, {**context, "page": obj}, "v3")

    return api_type, ..., staticmethod(resolve)


def requested_locale(context) -> str | None:
    """The language a v3 endpoint was asked for (``request.ukiyo_requested_locale``)."""
    return getattr(context["request"], "ukiyo_requested_locale", None)


class FallbackFields(Schema):
    """How an item answers ``?locale=``: the language asked for, and whether this version is
    in a fallback language instead. The fields alone, for items made of kept values (the
    article cards: ``fallback_marks``)."""

    requested_locale: str | None = Field(
        description="The language asked for with ?locale=, or null without it."
    )
    fallback: bool = Field(
        description="True when the article has no live version in the requested language "
        "and this one is in a ?fallback= language."
    )


def fallback_marks(language_code, request):
    """The values of ``FallbackFields`` for an item in ``language_code``."""
    requested = getattr(request, "ukiyo_requested_locale", None)
    return {
        "requested_locale": requested,
        "fallback": requested is not None and language_code != requested,
    }


class FallbackMarks(FallbackFields):
    """``FallbackFields`` read from a page (the meta of an article in a language)."""

    @staticmethod
    def resolve_requested_locale(obj, context):
        return requested_locale(context)

    @staticmethod
    def resolve_fallback(obj, context):
        return fallback_marks(obj.locale.language_code, context["request"])["fallback"]
