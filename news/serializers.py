"""API v2 representations of an article's related objects."""

from rest_framework.fields import Field


class CategoryField(Field):
    """The category as ``{id, name, slug}`` (in the article's language), or ``null``."""

    def to_representation(self, category):
        return category.as_api_dict() if category else None


class AuthorsField(Field):
    """The authors, in their order on the article, as ``{id, name, slug, role}``."""

    def to_representation(self, authors):
        return [author.as_api_dict() for author in authors]


class LanguageField(Field):
    """A snippet's language code (``"ja"``), as pages give it in ``meta.locale``."""

    def to_representation(self, locale) -> str:
        return locale.language_code
