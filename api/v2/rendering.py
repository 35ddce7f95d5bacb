"""v2 answers: compact JSON only, one answer per URL.

Wagtail's v2 endpoints answer in two formats (``BaseAPIViewSet.renderer_classes``): JSON
indented by four spaces, or, for a caller whose ``Accept`` prefers ``text/html`` (every
browser), Django REST framework's browsable HTML page. Neither suits ukiyo:

- An anonymous answer is kept by its URL (``api.kept``), and CDNs key theirs by URL too: an
  editor who opened ``/api/v2/pages/57/`` in a browser had the HTML page kept, and every
  frontend then read HTML where it expected JSON, until the page changed. Every v2 answer is
  now JSON whatever ``Accept`` says; ``Accept: text/html`` alone is a 406 and ``?format=api``
  a 400 (problem JSON, never kept). The OpenAPI documentation of v3 (``/api/v3/docs/``) is
  the API's page for people.
- Indented JSON is a third larger, and Python encodes it in Python rather than in C: the
  encoding took a tenth of the CPU of an article's v2 detail. Every answer of both APIs is
  compact UTF-8 JSON (``api.rendering``), and ``Accept: application/json; indent=4`` no longer
  changes v2's (it would be kept for every other caller). A reader formats it with ``jq`` or
  a browser's JSON viewer.
"""

from rest_framework.renderers import JSONRenderer
from wagtail.api.v2.utils import BadRequestError


class CompactJSONRenderer(JSONRenderer):
    def get_indent(self, accepted_media_type, renderer_context):
        return None


class CompactJSON:
    """For a Wagtail v2 endpoint (``BaseAPIViewSet``): its answers in compact JSON only."""

    renderer_classes = [CompactJSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # Django REST framework's ``?format=`` chooses a renderer by name: one it does not
        # have would be a bare 404, as if the page did not exist.
        # (``force``: the negotiation for the error answer itself, which must not fail.)
        if not force and request.query_params.get("format", "json") != "json":
            raise BadRequestError("format must be json: this API answers in JSON only.")
        return super().perform_content_negotiation(request, force=force)
