"""``/api/v3/preview/``: the previewed page in v3's detail shape (see ``api.preview``)."""

from django.http import HttpResponse
from django.utils import translation
from ninja import Query, Router
from wagtail.api.rich_text import RichTextOutputFormat
from wagtail.api.v3.errors import ProblemDetail, problem_response
from wagtail.api.v3.routers.pages import PageDetailSchema

from api.preview import PREVIEW_HEADER, as_preview
from preview.tokens import PreviewTokenError, read_token

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
        return as_preview(problem_response(status=error.status, detail=error.detail))
    # Rich-text links resolve in the page's language, as in the detail endpoint: the schema
    # serialises after this function returns, so the language stays active until then.
    language = page.locale.language_code
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response[PREVIEW_HEADER] = "true"
    as_preview(response)
    return page
