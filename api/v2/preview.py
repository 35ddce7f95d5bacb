"""``/api/v2/preview/``: the previewed page in v2's detail shape (see ``api.preview``)."""

from django.urls import path
from rest_framework.response import Response

from api.preview import PREVIEW_HEADER, as_preview
from api.problems import problem
from preview.tokens import PreviewTokenError, read_token

from .pages import PagesEndpoint


class PreviewEndpoint(PagesEndpoint):
    """The pages endpoint's detail view, for the page a preview token names.

    Everything but finding the object is the pages endpoint's: its serializer (each page in
    its own language), ``fields=`` and ``rich_text_format=``.
    """

    def preview_view(self, request):
        try:
            self.page = read_token(
                request.GET.get("token"),
                content_type=request.GET.get("content_type"),
                locale=request.GET.get("locale"),
            )
        except PreviewTokenError as error:
            return as_preview(problem(error.status, error.detail, v2=True))
        response = Response(self.get_serializer(self.page).data)
        response[PREVIEW_HEADER] = "true"
        return as_preview(response)

    def get_object(self):
        return self.page

    def handle_exception(self, exc):
        return as_preview(super().handle_exception(exc))

    @classmethod
    def get_urlpatterns(cls):
        return [path("", cls.as_view({"get": "preview_view"}), name="preview")]
