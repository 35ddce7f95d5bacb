"""Lost updates: a write with ``If-Match`` saves only if the page has not changed since.

A token holder's read of a page carries a strong ``ETag`` naming the revision it shows and the
live revision (``"<page>.<shown>.<live>"``). A write with ``If-Match`` compares it with the
page's latest and live revisions while holding the page's row lock, in the transaction that
saves (``api.v3.pages``): a stale tag answers 412 and saves nothing.

A ``PATCH`` of a page must send ``If-Match``: without it the answer is 428 and nothing is
saved. A PATCH carries content, and two editors' PATCHes without a tag would silently overwrite
each other; ``If-Match: *`` is the explicit way to overwrite whatever is there. The other
writes (publish, unpublish, revert, delete) carry no content and may omit it.
"""

from wagtail.models import Page


class PreconditionFailed(Exception):
    """The page changed since the client read it (``If-Match`` did not match)."""


class PreconditionRequired(Exception):
    """A write that must say which version of the page it changes sent no ``If-Match``."""


def page_etag(page_id, shown_revision_id, live_revision_id):
    """The strong validator of a token holder's view of a page.

    It names the revision whose content is shown and the live revision, so saving a new
    revision, publishing and unpublishing all change it. It identifies the page's content,
    not the bytes: the same revision read with another ``rich_text_format`` has the same tag.
    """
    return f'"{page_id}.{shown_revision_id or 0}.{live_revision_id or 0}"'


def current_etag(page_id, *, version="draft", lock=False):
    """The tag of the page's latest content (``version=draft``) or of what ``live`` shows."""
    rows = Page.objects.filter(pk=page_id)
    if lock:
        rows = rows.select_for_update()
    row = rows.values("live", "latest_revision_id", "live_revision_id").first()
    if row is None:
        return None
    shown = row["latest_revision_id"]
    if version != "draft" and row["live"]:
        shown = row["live_revision_id"]
    return page_etag(page_id, shown, row["live_revision_id"])


def _if_match_tags(header):
    """The entity tags of an ``If-Match`` header; ``*`` stays as is."""
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def check_if_match(request, page_id, *, required=False):
    """Compare ``If-Match`` with the page's current tag, holding the page's row lock.

    Called inside the transaction that saves, so a second writer with the same tag waits for
    the first one's commit and then sees a new tag. Weak tags (``W/"…"``) never match: If-Match
    compares strongly. ``*`` matches any existing page. Without the header, a ``required``
    precondition raises :class:`PreconditionRequired`.
    """
    header = request.headers.get("If-Match")
    if header is None and not required:
        return
    current = current_etag(page_id, lock=True)
    if current is None:
        return  # no such page: the view answers 404
    if header is None:
        raise PreconditionRequired(
            "A PATCH of a page must say which version it changes: send the ETag of your last "
            f"read in an If-Match header. Read the page with GET /api/v3/pages/{page_id}/"
            "?version=draft&rich_text_format=db_html (with your token); its ETag header is "
            "the tag to send. To overwrite whatever is there, send If-Match: *."
        )
    tags = _if_match_tags(header)
    if "*" in tags or current in tags:
        return
    raise PreconditionFailed(
        "The page has changed since you read it (its ETag is now "
        f"{current}). Read it again and apply your change to the new version."
    )


def can_write(user, page_id):
    """Whether the caller may change the page at all: otherwise the view answers 403, and
    a 412 must not tell them anything about the page's revisions first."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return False
    permissions = page.permissions_for_user(user)
    return permissions.can_edit() or permissions.can_publish()
