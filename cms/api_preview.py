"""``/api/v2/preview/`` and ``/api/v3/preview/``: the previewed page, for the token's holder.

A frontend's preview route receives ``?token=…`` from the admin (``cms.preview``) and fetches
the page here. The JSON is exactly what that API's detail endpoint gives for the page type
(same serializer in v2, same schema in v3), so the frontend renders it with its normal code;
the header ``Ukiyo-Preview: true`` says it is a preview. A missing, malformed, tampered or
expired token, or one used for another page type or language, gets a problem JSON and never
the draft.

Every answer is ``Cache-Control: private, no-store``: the URL carries no ``Authorization``
header, yet what it returns is unpublished and must never sit in a shared cache.
"""

from django.http import HttpResponse, JsonResponse
from django.utils import translation
from ninja import Query, Router
from rest_framework.response import Response
from wagtail.api.rich_text import RichTextOutputFormat
from wagtail.api.v3.api import api as api_v3
from wagtail.api.v3.errors import PROBLEM_JSON, ProblemDetail, problem_response
from wagtail.api.v3.routers.pages import PageDetailSchema

from cms.api import PagesEndpoint, api_router
from cms.preview import PreviewTokenError, read_token

PREVIEW_HEADER = "Ukiyo-Preview"
NO_STORE = "private, no-store"


def _as_preview(response):
    response["Cache-Control"] = NO_STORE
    return response


# -- v2 -----------------------------------------------------------------------------------


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
            return _as_preview(v2_problem(error.status, error.detail))
        response = Response(self.get_serializer(self.page).data)
        response[PREVIEW_HEADER] = "true"
        return _as_preview(response)

    def get_object(self):
        return self.page

    def handle_exception(self, exc):
        return _as_preview(super().handle_exception(exc))


def v2_problem(status, detail):
    """A problem JSON (RFC 9457) that also carries v2's usual ``message``."""
    title = {401: "Unauthorized", 403: "Forbidden"}.get(status, "Error")
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse({**body, "message": detail}, status=status, content_type=PROBLEM_JSON)


# The v2 router marks each request with itself (detail URLs in the JSON are built from it).
preview_v2 = api_router.wrap_view(PreviewEndpoint.as_view({"get": "preview_view"}))


# -- v3 -----------------------------------------------------------------------------------

router = Router(tags=["preview"])


@router.get(
    "/",
    response={200: PageDetailSchema, 401: ProblemDetail, 403: ProblemDetail},
    url_name="preview_page",
    summary="Previewed page",
    description=(
        "The page an editor is previewing in the admin, unsaved changes included, in the "
        "same shape as the page detail endpoint. The token comes from the admin's preview "
        "URL and expires; the answer has the header `Ukiyo-Preview: true` and is never "
        "cached."
    ),
    operation_id="preview_detail",
    auth=None,
)
def preview_page(
    request,
    response: HttpResponse,
    token: str | None = Query(
        None, description="The signed token from the preview URL (required)."
    ),
    content_type: str | None = Query(
        None, description="If given, the token must be for this page type (`news.ArticlePage`)."
    ),
    locale: str | None = Query(
        None, description="If given, the token must be for this language (`ja`, `en`…)."
    ),
    rich_text_format: RichTextOutputFormat | None = None,
):
    try:
        page = read_token(token, content_type=content_type, locale=locale)
    except PreviewTokenError as error:
        return _as_preview(problem_response(status=error.status, detail=error.detail))
    # Rich-text links resolve in the page's language, as in the detail endpoint: the schema
    # serialises after this function returns, so the language stays active until then.
    language = page.locale.language_code
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response[PREVIEW_HEADER] = "true"
    _as_preview(response)
    return page


api_v3.add_router("/preview/", router)
