"""Filter backends of the v2 pages endpoint: the fallback language, and Wagtail's field filters
kept away from the parameters ukiyo's listing filters read."""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from wagtail.api.v2.filters import FieldsFilter, LocaleFilter
from wagtail.api.v2.utils import BadRequestError

from api.languages import in_preferred_language, known_locale


def bad_request(error):
    """A ``ListingParameterError`` as v2 answers it (400, ``{"message"}``)."""
    return BadRequestError(str(error))


class _QueryWithout:
    """A request whose query string lacks some parameters (see ``FieldsFilterBesidesListing``)."""

    def __init__(self, request, names):
        self.GET = QueryDict(mutable=True)
        for name, values in request.GET.lists():
            if name not in names:
                self.GET.setlist(name, values)


class FieldsFilterBesidesListing(FieldsFilter):
    """Wagtail's ``?<field>=<value>`` filters, except the parameters of the view's listing
    filters (``view.listing_parameters``).

    ``category`` is an article field, so Wagtail would take ``?category=space`` for a
    category id; the article filters read it as the slug, the same in every language.
    """

    def filter_queryset(self, request, queryset, view):
        request = _QueryWithout(request, view.listing_parameters)
        refuse_unusable_field_values(request, queryset.model, view)
        return super().filter_queryset(request, queryset, view)


# Field types whose values Wagtail's filter converts (and refuses) itself; relations too.
_CONVERTED_BY_WAGTAIL = (models.BooleanField, models.IntegerField)


def refuse_unusable_field_values(request, model, view):
    """400 naming the field for a value its field cannot hold (``?first_published_at=x``).

    Wagtail's filter converts booleans, numbers and foreign keys; any other value goes to the
    database lookup as it came, where a date or a UUID that is not one raised Django's
    ``ValidationError``: a 500.
    """
    fields = set(view.get_available_fields(model, db_fields_only=True)) - {"locale"}
    for name, value in request.GET.items():
        if name not in fields:
            continue
        try:
            field = model._meta.get_field(name)
        except LookupError:
            continue
        if (
            not isinstance(field, models.Field)
            or field.is_relation
            or isinstance(field, _CONVERTED_BY_WAGTAIL)
        ):
            continue
        try:
            field.to_python(value)
        except ValidationError as error:
            raise BadRequestError(
                f"field filter error. {value!r} is not a valid value for {name}."
            ) from error


class KnownLocaleFilter(LocaleFilter):
    """Wagtail's ``?locale=``, its 404 for an unknown language in the words of every other
    endpoint (``api.languages.known_locale``)."""

    def filter_queryset(self, request, queryset, view):
        if request.GET.get("locale"):
            known_locale(request.GET["locale"])
        return super().filter_queryset(request, queryset, view)


class FallbackLocaleFilter(KnownLocaleFilter):
    """``?locale=`` as Wagtail reads it, or with ``fallback=`` the language chain."""

    def filter_queryset(self, request, queryset, view):
        languages = view.requested_languages()
        if languages is None:
            return super().filter_queryset(request, queryset, view)
        return in_preferred_language(queryset, view.get_base_queryset(), languages)
