"""Filter backends of the v2 pages endpoint: the fallback language, and Wagtail's field filters
kept away from the parameters ukiyo's listing filters read."""

from django.http import QueryDict
from wagtail.api.v2.filters import FieldsFilter, LocaleFilter
from wagtail.api.v2.utils import BadRequestError

from api.languages import in_preferred_language


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
        return super().filter_queryset(request, queryset, view)


class FallbackLocaleFilter(LocaleFilter):
    """``?locale=`` as Wagtail reads it, or with ``fallback=`` the language chain."""

    def filter_queryset(self, request, queryset, view):
        languages = view.requested_languages()
        if languages is None:
            return super().filter_queryset(request, queryset, view)
        return in_preferred_language(queryset, view.get_base_queryset(), languages)
