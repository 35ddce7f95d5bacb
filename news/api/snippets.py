"""Categories and authors in both APIs: readable without a token, one language at a time.

Snippets are public facts printed on every article (a category, a byline), so they are
readable without a token, as pages are (Wagtail 8's v3 reads snippets with a token only). The
same facts, under the same field names, in each API's shapes: v2 ``/api/v2/categories/``,
``/api/v2/authors/``; v3 ``/api/v3/categories/``, ``/api/v3/authors/`` (a listing is
``{"count", "items"}``, errors are problem JSON). ``news.apps`` registers them.
"""

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from wagtail.api.utils import get_full_url
from wagtail.api.v2.filters import FieldsFilter, OrderingFilter
from wagtail.api.v2.views import BaseAPIViewSet
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from api.languages import known_locale
from api.params import refuse_unknown_parameters
from api.v2.filters import KnownLocaleFilter
from api.v2.params import RefusesUnknownParameters
from api.v2.rendering import CompactJSON
from news.models import Author, Category

# ---------------------------------------------------------------------------
# API v2
# ---------------------------------------------------------------------------


class SnippetEndpoint(CompactJSON, RefusesUnknownParameters, BaseAPIViewSet):
    """A translatable snippet: ``?locale=`` chooses the language, ``?order=`` sorts.

    Snippets are public facts printed on every article (a category, a byline), so they are
    readable without a token, as pages are.
    """

    filter_backends = [FieldsFilter, KnownLocaleFilter, OrderingFilter]
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


# ---------------------------------------------------------------------------
# API v3
# ---------------------------------------------------------------------------


class SnippetMetaSchema(Schema):
    type: str
    detail_url: str

    @staticmethod
    def resolve_type(obj, context) -> str:
        return obj._meta.label

    @staticmethod
    def resolve_detail_url(obj, context) -> str:
        path = reverse(f"wagtailapi_v3:{DETAIL_URL_NAMES[type(obj)]}", args=[obj.pk])
        return get_full_url(context["request"], path)


class CategorySchema(Schema):
    id: int
    meta: SnippetMetaSchema
    locale: str
    name: str
    slug: str

    @staticmethod
    def resolve_meta(obj):
        return obj

    @staticmethod
    def resolve_locale(obj) -> str:
        return obj.locale.language_code


class AuthorSchema(CategorySchema):
    role: str
    bio: str


class SnippetFilters(Schema):
    locale: str | None = None
    order: Literal["name", "-name"] = "name"


LISTING_PARAMETERS = {"locale", "order", "limit", "offset"}


def snippets(request: HttpRequest, model, filters: SnippetFilters):
    """One language's snippets (every language's without ``locale``), ordered by name."""
    refuse_unknown_parameters(request, LISTING_PARAMETERS)
    queryset = model.objects.select_related("locale")
    ordering = [filters.order, "pk"]
    if filters.locale is None:
        ordering.insert(0, "locale_id")
    else:
        queryset = queryset.filter(locale=known_locale(filters.locale))
    return queryset.order_by(*ordering)


def snippet(request: HttpRequest, model, pk: int):
    refuse_unknown_parameters(request, ())
    return get_object_or_404(model.objects.select_related("locale"), pk=pk)


DETAIL_URL_NAMES = {Category: "categories_detail", Author: "authors_detail"}

categories = Router(tags=["categories"])
authors = Router(tags=["authors"])


@categories.get(
    "/",
    response=list[CategorySchema],
    url_name="categories_list",
    summary="List categories",
    operation_id="categories_list",
)
@paginate(WagtailLimitOffsetPagination)
def list_categories(request: HttpRequest, filters: Query[SnippetFilters], **kwargs):
    return snippets(request, Category, filters)


@categories.get(
    "/{category_id}/",
    response=CategorySchema,
    url_name="categories_detail",
    summary="Category detail",
    operation_id="categories_detail",
)
def get_category(request: HttpRequest, category_id: int):
    return snippet(request, Category, category_id)


@authors.get(
    "/",
    response=list[AuthorSchema],
    url_name="authors_list",
    summary="List authors",
    operation_id="authors_list",
)
@paginate(WagtailLimitOffsetPagination)
def list_authors(request: HttpRequest, filters: Query[SnippetFilters], **kwargs):
    return snippets(request, Author, filters)


@authors.get(
    "/{author_id}/",
    response=AuthorSchema,
    url_name="authors_detail",
    summary="Author detail",
    operation_id="authors_detail",
)
def get_author(request: HttpRequest, author_id: int):
    return snippet(request, Author, author_id)
