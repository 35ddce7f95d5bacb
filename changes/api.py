"""The change feed in both APIs: ``/api/v2/changes/`` and ``/api/v3/changes/``.

Readable without a token: it serves only changes of what anonymous readers can see (see
``changes.signals``), the same JSON in both APIs. Errors are problem JSON in both, v2's with
its ``message`` too (``api.problems``). ``changes.apps`` registers both.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from wagtail.api.v3.errors import ProblemDetail

from api.problems import problem
from api.rendering import COMPACT

from . import feed
from .models import ContentChange

EventName = Literal[
    "page.published",
    "page.unpublished",
    "page.deleted",
    "page.moved",
    "snippet.saved",
    "snippet.deleted",
]


class ChangeFeedItem(Schema):
    """One change, as anonymous readers see it."""

    id: int = Field(description="The change's number; changes come in this order.")
    cursor: str = Field(description="Pass as updated_since to read the changes after this one.")
    event: EventName
    time: datetime = Field(description="When the change was recorded (UTC).")
    type: str = Field(description='The model: "news.ArticlePage", "news.Category"...')
    object_id: int = Field(description="The page's or snippet's id (gone after a deletion).")
    translation_key: UUID | None = Field(description="Shared by the translations of one item.")
    locale: str | None = Field(description='Its language ("ja", "en"...); null: none.')
    title: str | None = Field(description="Its title or name at the time of the change.")
    html_url: str | None = Field(
        description="The page's URL for readers; for an unpublish or deletion, the URL it had."
    )
    previous_html_url: str | None = Field(description="page.moved: the URL it had before.")
    api_v2_url: str | None = Field(
        description="Where to fetch it now (after a publish, move or snippet save)."
    )
    api_v3_url: str | None = Field(description="The same in API v3 (pages, categories, authors).")
    reason: Literal["restricted", "unrestricted", "unpublished"] | None = Field(
        description="restricted: a view restriction now hides the page (it was not "
        "unpublished); unrestricted: a restriction was lifted; unpublished: a snippet's."
    )
    moved_with: int | None = Field(
        description="page.moved of a descendant: the id of the page that was moved."
    )


class ChangeFeed(Schema):
    items: list[ChangeFeedItem] = Field(description="Oldest first, at most limit.")
    next_cursor: str = Field(description="Pass as updated_since next time.")
    has_more: bool = Field(description="More changes can be read now with next_cursor.")


class ChangeFilters(Schema):
    updated_since: str | None = Field(
        None,
        description="A next_cursor (or an item's cursor) from this feed, or an ISO 8601 "
        "date-time (2025-06-23T00:00:00Z). Absent: from the oldest change kept.",
    )
    limit: int = Field(feed.DEFAULT_LIMIT, ge=1, le=feed.MAX_LIMIT)
    locale: list[str] = Field(
        [], description="Only these languages (repeat, or separate with commas)."
    )
    event: list[str] = Field([], description="Only these events (page.published...).")
    type: list[str] = Field([], description="Only these models (news.ArticlePage...).")


def changes_since(params):
    return ChangeFeed.model_validate(feed.read(feed.parse(params)))


router = Router(tags=["changes"])


@router.get(
    "/",
    response={200: ChangeFeed, 400: ProblemDetail, 410: ProblemDetail},
    url_name="changes",
    summary="Changes since a cursor",
    description="What was published, unpublished, deleted or moved, and which snippets "
    "changed, oldest first: pass next_cursor as updated_since to read on. 410: the cursor "
    "is older than the changes kept; sync everything again.",
    operation_id="changes_list",
)
def list_changes(request: HttpRequest, filters: Query[ChangeFilters]):
    # The validated filters document the parameters; the query string is read again by the
    # code both APIs share, which also refuses parameters it does not know.
    try:
        return changes_since(request.GET)
    except feed.FeedError as error:
        raise HttpError(error.status, error.message) from error


def changes_v2(request):
    """``/api/v2/changes/``: the v3 feed's JSON, with v2's errors (problems that carry
    ``message``)."""
    if request.method not in ("GET", "HEAD"):
        # Worded as every other 405 of both APIs (api.problems).
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        payload = changes_since(request.GET)
    except feed.FeedError as error:
        return problem(error.status, error.message, v2=True)
    # Django's JSON encoder writes date-times as v3 (ninja) does, to the millisecond; the
    # rest as every answer is written (api.rendering).
    return JsonResponse(payload.model_dump(), json_dumps_params=COMPACT)


class ChangesEndpoint:
    """The feed as an endpoint of the v2 router (``/api/v2/changes/``)."""

    model = ContentChange

    @classmethod
    def get_urlpatterns(cls):
        return [path("", changes_v2, name="listing")]
