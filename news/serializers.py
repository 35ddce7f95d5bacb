"""API v2 representations of an article's related objects."""

from typing import Annotated, Literal

from pydantic import WithJsonSchema
from rest_framework.fields import Field
from typing_extensions import TypedDict  # pydantic (API v3) needs it before Python 3.12

# The return annotations below are the types of these fields in API v3's OpenAPI document.


class CategoryRef(TypedDict):
    id: int
    name: str
    slug: str


class AuthorRef(TypedDict):
    id: int
    name: str
    slug: str
    role: str


# An ISO 8601 date-time as the models write it (``isoformat()``), typed as one.
DateTimeString = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class CorrectionRef(TypedDict):
    kind: Literal["correction", "clarification"]
    published: DateTimeString
    text: str


class CorrectionsField(Field):
    """The corrections and clarifications, the latest first, as ``{kind, published, text}``
    (``published``: an ISO 8601 date-time)."""

    def to_representation(self, corrections) -> list[CorrectionRef]:
        return [correction.as_api_dict() for correction in corrections]


class CategoryField(Field):
    """The category as ``{id, name, slug}`` (in the article's language), or ``null``."""

    def to_representation(self, category) -> CategoryRef | None:
        return category.as_api_dict() if category else None


class AuthorsField(Field):
    """The authors, in their order on the article, as ``{id, name, slug, role}``."""

    def to_representation(self, authors) -> list[AuthorRef]:
        return [author.as_api_dict() for author in authors]


class TagNamesField(Field):
    """The article's tags by name, sorted: ``["JAXA", "moon"]``."""

    def to_representation(self, names) -> list[str]:
        return list(names)


class LanguageField(Field):
    """A snippet's language code (``"ja"``), as pages give it in ``meta.locale``."""

    def to_representation(self, locale) -> str:
        return locale.language_code
