"""Categories and authors in API v2: readable without a token, one language at a time."""

from wagtail.api.v2.filters import FieldsFilter, LocaleFilter, OrderingFilter
from wagtail.api.v2.views import BaseAPIViewSet

from .models import Author, Category


class SnippetEndpoint(BaseAPIViewSet):
    """A translatable snippet: ``?locale=`` chooses the language, ``?order=`` sorts.

    Snippets are public facts printed on every article (a category, a byline), so they are
    readable without a token, as pages are.
    """

    filter_backends = [FieldsFilter, LocaleFilter, OrderingFilter]
    known_query_parameters = BaseAPIViewSet.known_query_parameters | {"locale"}
    listing_default_fields = [*BaseAPIViewSet.listing_default_fields, "locale", "name", "slug"]

    def get_queryset(self):
        return self.model.objects.select_related("locale").order_by("locale_id", "name", "pk")


class CategoriesEndpoint(SnippetEndpoint):
    model = Category
    name = "categories"


class AuthorsEndpoint(SnippetEndpoint):
    model = Author
    name = "authors"
    listing_default_fields = [*SnippetEndpoint.listing_default_fields, "role"]
