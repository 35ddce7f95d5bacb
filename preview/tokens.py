"""Headless preview: the admin's preview shows the frontend, which reads the draft by token.

When ``UKIYO_FRONTEND_PREVIEW_URL`` is set, every admin preview of a page (the edit view's
panel, "Preview" in a new tab, a draft translation in wagtail-localize's editor, a revision
waiting in a moderation workflow) ends in ``BasePage.serve_preview``, which:

1. stores the page exactly as previewed, unsaved changes included, in a ``PreviewSnapshot``
   (the admin keeps the previewed form for the editor alone; the frontend is not logged in);
2. signs a token naming that row, the page and its language (``django.core.signing`` with
   this module's own salt, so no other signed value of the site can pass for one);
3. redirects the preview to ``<frontend>?token=…&content_type=…&locale=…``.

The frontend then fetches ``/api/v2/preview/?token=…`` or ``/api/v3/preview/?token=…``
(``api.preview``) and renders the JSON with its normal code. A token is good for
``UKIYO_PREVIEW_TOKEN_MAX_AGE`` seconds and for that one snapshot only; without one, no draft
is served anywhere.
"""

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.cache import patch_cache_control

from .models import PreviewSnapshot

SALT = "ukiyo.preview.token"
EXPIRED = "The preview token has expired; preview the page again in the admin."


class PreviewTokenError(Exception):
    """Why a token gives no preview; ``status`` is the HTTP status the API answers with.

    The messages are the API's (English, like Wagtail's) and never name the page.
    """

    def __init__(self, status, detail):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def max_age():
    return timedelta(seconds=settings.UKIYO_PREVIEW_TOKEN_MAX_AGE)


def purge_expired_snapshots():
    """Delete the snapshots no token can reach any more; returns how many went."""
    deleted, _ = PreviewSnapshot.objects.filter(created_at__lt=timezone.now() - max_age()).delete()
    return deleted


def take_snapshot(page, user=None):
    """Store ``page`` as it is in memory (the previewed form, not the last saved revision)."""
    purge_expired_snapshots()
    return PreviewSnapshot.objects.create(
        page_id=page.pk,
        locale_id=page.locale_id,
        content=page.serializable_data(),
        created_by=user if user is not None and user.is_authenticated else None,
    )


def make_token(snapshot):
    # Signed, not encrypted: the ids it carries are no secret, the signature is what counts.
    return signing.dumps(
        {"snapshot": str(snapshot.pk), "page": snapshot.page_id, "locale": snapshot.locale_id},
        salt=SALT,
        compress=True,
    )


def frontend_url(page, token, mode_name=""):
    """The frontend's preview route with the token and what it needs to pick a template."""
    parts = urlsplit(settings.UKIYO_FRONTEND_PREVIEW_URL)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [
        ("token", token),
        ("content_type", page.specific_class._meta.label),
        ("locale", page.locale.language_code),
    ]
    if mode_name:
        # A page with several preview modes (the contact page's "after sending").
        query.append(("mode", mode_name))
    return urlunsplit(parts._replace(query=urlencode(query)))


def redirect_to_frontend(page, request, mode_name=""):
    """The admin's preview answer: the frontend, showing ``page`` as the editor has it now.

    Wagtail's preview panel follows the redirect inside its iframe (it restores the scroll
    position of a page on another origin by messages, and does not need to read it);
    "Preview in a new tab" follows it in the tab.
    """
    snapshot = take_snapshot(page, getattr(request, "user", None))
    response = HttpResponseRedirect(frontend_url(page, make_token(snapshot), mode_name))
    # The Location holds a live token: no cache may keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response


def read_token(token, *, content_type=None, locale=None):
    """The page that ``token`` names, in the state previewed, or ``PreviewTokenError``.

    ``content_type`` and ``locale``, when the frontend passes them on from its preview URL,
    must be the token's: a token never serves another page or language.
    """
    if not token:
        raise PreviewTokenError(
            401, "A preview token is required: pass ?token= from the preview URL."
        )
    try:
        claims = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as error:
        raise PreviewTokenError(401, EXPIRED) from error
    except signing.BadSignature as error:
        raise PreviewTokenError(401, "The preview token is not valid.") from error
    if not isinstance(claims, dict) or not {"snapshot", "page", "locale"} <= claims.keys():
        raise PreviewTokenError(401, "The preview token is not valid.")

    snapshot = (
        PreviewSnapshot.objects.filter(pk=str(claims["snapshot"]))
        .select_related("page", "locale")
        .first()
        if _is_uuid(claims["snapshot"])
        else None
    )
    if snapshot is None or snapshot.created_at < timezone.now() - max_age():
        # Purged (or its page deleted): the token outlived what it named.
        raise PreviewTokenError(401, EXPIRED)
    if snapshot.page_id != claims["page"] or snapshot.locale_id != claims["locale"]:
        raise PreviewTokenError(403, "The preview token does not match the previewed page.")

    page_type = snapshot.page.specific_class
    if content_type and (page_type is None or content_type.lower() != page_type._meta.label_lower):
        raise PreviewTokenError(403, "The preview token is for another page type.")
    if locale and locale.lower() != snapshot.locale.language_code.lower():
        raise PreviewTokenError(403, "The preview token is for another language.")

    page = snapshot.page.specific
    previewed = _in_utc(page.with_content_json(snapshot.content))
    # When the page was published is the page's, not the previewed state's (which holds the
    # value of its own time, rounded to the millisecond by the JSON).
    previewed.first_published_at = page.first_published_at or previewed.first_published_at
    previewed.last_published_at = page.last_published_at or previewed.last_published_at
    return previewed


def _in_utc(page):
    """Date-times as a page read from the database has them (UTC), not as restored.

    Restoring a revision's JSON gives them in ``TIME_ZONE``: the same instants, but v3 would
    write ``+09:00`` where its detail endpoint writes ``Z``.
    """
    for field in page._meta.concrete_fields:
        value = getattr(page, field.attname)
        if isinstance(value, datetime) and timezone.is_aware(value):
            setattr(page, field.attname, value.astimezone(UTC))
    return page


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
