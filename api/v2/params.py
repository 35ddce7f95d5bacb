"""A query parameter a v2 endpoint does not read, refused in the words of every other endpoint.

Wagtail's v2 refuses it too (400), as "query parameter is not an operation or a recognised
field: foo"; v3 and the change feed say "Unknown query parameter: foo" (``api.params``). A
client matching on the message meets one wording.
"""

from wagtail.api.v2.utils import BadRequestError

from api.params import unknown_parameters, unknown_parameters_message


class RefusesUnknownParameters:
    """For a Wagtail v2 endpoint (``BaseAPIViewSet``): Wagtail's check, ukiyo's words."""

    def check_query_parameters(self, queryset):
        fields = self.get_available_fields(queryset.model, db_fields_only=True)
        known = {*fields, *self.known_query_parameters}
        if unknown := unknown_parameters(self.request.GET, known):
            raise BadRequestError(unknown_parameters_message(unknown))
