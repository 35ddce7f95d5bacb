"""Safe v3 writes: block ids kept, every bad body a 422 with its path, preconditions (If-Match).

Wagtail's v3 page writes (``PATCH /api/v3/pages/<id>/``, ``POST /api/v3/pages/``) turn the
JSON body into an admin form. Three things go wrong there, and are put right here:

- **Block ids.** Stream children keep the ``id`` the client sends back, but ``ListBlock`` items
  never show theirs in the API and Wagtail gives them new ones on every write. wagtail-localize
  keys each translated segment by the ids on its path, so one PATCH used to detach the
  translations of every list item. The ids are now matched to the stored items (same content
  first, then same position) and handed to Wagtail's form (``_flatten_block_value``).
- **Bad input.** A body of the wrong shape reached code that indexes into it, and answered 500;
  other mistakes were saved silently (a citation to no reference, an image that does not exist,
  ``["a"]`` as sources). :class:`BodyChecker` reads every StreamField of the body against its
  block definitions first, then runs Wagtail's own block validation, and answers 422 with each
  error's path (``["body", 0, "value", "content", 2, "value", "text"]``), before anything is
  saved.
- **Lost updates.** A token holder's read of a page carries a strong ``ETag`` naming the
  revision it shows and the live revision (``"<page>.<shown>.<live>"``). A write with
  ``If-Match`` compares it with the page's latest and live revisions while holding the page's
  row lock, in the transaction that saves: a stale tag answers 412 and saves nothing.
  Without ``If-Match`` a write proceeds, as before (existing clients keep working).

API error messages stay English, like Wagtail's, whatever the page's language.
"""

import functools
import json
import re
import uuid

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from wagtail import blocks
from wagtail.api.rich_text import APIRichText
from wagtail.api.v3 import form_data
from wagtail.api.v3.api import api as api_v3
from wagtail.api.v3.errors import ProblemDetail, problem_response
from wagtail.api.v3.routers.pages import router as pages_router
from wagtail.blocks.base import get_error_json_data
from wagtail.embeds.blocks import EmbedBlock
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Page, get_page_models
from wagtail.permissions import policy_registry

from news.blocks import CitationsBlock, FigureBlock

# ---------------------------------------------------------------------------
# ListBlock item ids (a fix to Wagtail's form data builder)
# ---------------------------------------------------------------------------

_wagtail_flatten_block_value = form_data.flatten_block_value


def _flatten_block_value(block, value, prefix, data):
    """Wagtail's ``flatten_block_value``, passing on the ids of ``ListBlock`` items.

    Wagtail writes ``<prefix>-<i>-id`` for stream children only, so list items lost their ids
    on every write. Items in the block format (``{"type": "item", "value": …, "id": …}``, which
    :class:`BodyChecker` produces) now keep theirs; plain values behave as before.
    """
    if not isinstance(block, blocks.ListBlock):
        return _wagtail_flatten_block_value(block, value, prefix, data)
    items = value or []
    data[f"{prefix}-count"] = str(len(items))
    for i, item in enumerate(items):
        data[f"{prefix}-{i}-deleted"] = ""
        data[f"{prefix}-{i}-order"] = str(i)
        if block._item_is_in_block_format(item):
            if item["id"]:
                data[f"{prefix}-{i}-id"] = item["id"]
            item = item["value"]
        # The module's own name, so that nested lists come back here too.
        form_data.flatten_block_value(block.child_block, item, f"{prefix}-{i}-value", data)


# The function calls itself through the module's global name: replacing that name makes every
# level, and every caller in form_data, use the fixed version.
form_data.flatten_block_value = _flatten_block_value


# ---------------------------------------------------------------------------
# Checking a write's body
# ---------------------------------------------------------------------------

# JSON types of leaf blocks whose input Wagtail would otherwise index into or coerce silently.
_STRING_BLOCKS = (
    blocks.CharBlock,
    blocks.TextBlock,
    blocks.URLBlock,
    blocks.EmailBlock,
    blocks.RegexBlock,
    blocks.ChoiceBlock,
    blocks.DateBlock,
    blocks.TimeBlock,
    blocks.DateTimeBlock,
    EmbedBlock,
)
_NUMBER_BLOCKS = (blocks.IntegerBlock, blocks.FloatBlock, blocks.DecimalBlock)

# Links and images inside stored rich text (``<a linktype="page" id="3">``, ``<embed …/>``),
# whatever the order of their attributes.
_RICH_TEXT_TAG = re.compile(r"<(?:a|embed)\b([^>]*)>")
_RICH_TEXT_KIND = re.compile(r'\b(?:linktype|embedtype)="(page|image|document)"')
_RICH_TEXT_ID = re.compile(r'\bid="([^"]*)"')


class BodyErrors(ValidationError):
    """Errors found in a write's body: ``[{"type", "loc", "msg"}, …]``, answered as 422."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__([error["msg"] for error in errors])


def _error(loc, msg, code="invalid"):
    return {"type": code, "loc": list(loc), "msg": msg}


def _type_name(value):
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


class BodyChecker:
    """Reads the StreamFields (and image fields) of one write against the page model.

    ``normalized`` gets each StreamField's value as Wagtail's form expects it: every struct
    child present (defaults filled in, read-only extras such as ``number`` or ``rendition``
    dropped), list items in the block format with their ids matched to the stored ones.
    ``errors`` collects every problem with its path. Database checks (images, linked pages,
    documents) are gathered and run once per model at the end, whatever the body's size.
    """

    def __init__(self, model, page, user, *, publish):
        self.model = model
        self.page = page
        self.user = user
        self.publish = publish
        self.errors = []
        self.normalized = {}
        self.citations = []  # (loc, number)
        self.lookups = {}  # model -> {pk: [loc, …]}

    # -- entry point ------------------------------------------------------------

    def check(self, payload):
        """Check ``payload`` (field name → value as sent); raise :class:`BodyErrors` if bad."""
        for name, value in payload.items():
            field = self._model_field(name)
            if isinstance(field, StreamField):
                existing = self._stored_raw(name)
                normalized = self.stream(field.stream_block, value, (name,), existing)
                self.normalized[name] = normalized
            elif (
                isinstance(field, models.ForeignKey)
                and value is not None
                and field.related_model is get_image_model()
            ):
                self._look_up(field.related_model, value, (f"{name}_id",))
        self._check_lookups()
        if not self.errors:
            self._check_citations(payload)
        if not self.errors:
            for name, value in self.normalized.items():
                self._wagtail_clean(name, value)
        if self.errors:
            raise BodyErrors(self.errors)
        return self.normalized

    def _model_field(self, name):
        try:
            return self.model._meta.get_field(name)
        except Exception:
            return None

    def _stored_raw(self, name):
        if self.page is None:
            return []
        return list(getattr(self.page, name).raw_data)

    # -- shapes -----------------------------------------------------------------

    def value(self, block, value, loc, existing):
        """Check ``value`` for ``block`` and return it normalized (None if it is unusable)."""
        if isinstance(block, FigureBlock):
            value = _figure_from_read_shape(value)
        if isinstance(block, blocks.BaseStreamBlock):
            return self.stream(block, value, loc, existing)
        if isinstance(block, blocks.ListBlock):
            return self.list(block, value, loc, existing)
        if isinstance(block, blocks.BaseStructBlock):
            return self.struct(block, value, loc, existing)
        return self.leaf(block, value, loc)

    def stream(self, block, value, loc, existing):
        if not isinstance(value, list):
            self.errors.append(_error(loc, f"Expected a list of blocks, got {_type_name(value)}."))
            return None
        stored = {
            child.get("id"): child
            for child in existing or []
            if isinstance(child, dict) and child.get("id")
        }
        seen_ids = set()
        result = []
        for i, item in enumerate(value):
            item_loc = (*loc, i)
            if not isinstance(item, dict):
                self.errors.append(
                    _error(
                        item_loc,
                        'Expected a block: an object with "type" and "value", '
                        f"got {_type_name(item)}.",
                    )
                )
                continue
            block_type = item.get("type")
            if "type" not in item:
                self.errors.append(_error((*item_loc, "type"), "Field required", "missing"))
                continue
            if block_type not in block.child_blocks:
                known = ", ".join(block.child_blocks)
                self.errors.append(
                    _error(
                        (*item_loc, "type"),
                        f"Unknown block type {block_type!r}; expected one of: {known}.",
                        "unknown_block_type",
                    )
                )
                continue
            block_id = item.get("id")
            if block_id is not None and not isinstance(block_id, str):
                self.errors.append(
                    _error((*item_loc, "id"), f"Expected a string, got {_type_name(block_id)}.")
                )
                continue
            if block_id in seen_ids:
                block_id = None  # a copied block: it gets an id of its own
            seen_ids.add(block_id)
            if "value" not in item:
                self.errors.append(_error((*item_loc, "value"), "Field required", "missing"))
                continue
            previous = stored.get(block_id)
            previous_value = (
                previous.get("value") if previous and previous.get("type") == block_type else None
            )
            child_value = self.value(
                block.child_blocks[block_type],
                item["value"],
                (*item_loc, "value"),
                previous_value,
            )
            normalized = {"type": block_type, "value": child_value}
            if block_id:
                normalized["id"] = block_id
            result.append(normalized)
        return result

    def list(self, block, value, loc, existing):
        if not isinstance(value, list):
            self.errors.append(_error(loc, f"Expected a list, got {_type_name(value)}."))
            return None
        stored = [
            (item["id"], item["value"])
            for item in existing or []
            if block._item_is_in_block_format(item)
        ]
        items = []
        given_ids = set()
        for item in value:
            item_id = None
            if block._item_is_in_block_format(item) or (
                isinstance(item, dict)
                and item.keys() == {"type", "value"}
                and item["type"] == "item"
            ):
                item_id = item.get("id") if isinstance(item.get("id"), str) else None
                item = item["value"]
            if item_id in given_ids:
                item_id = None  # a copied item: it gets an id of its own
            given_ids.add(item_id)
            items.append((item_id, item))
        ids = _match_list_ids(block.child_block, items, stored)
        result = []
        for i, ((_given, item), item_id) in enumerate(zip(items, ids, strict=True)):
            previous = next((raw for stored_id, raw in stored if stored_id == item_id), None)
            child_value = self.value(block.child_block, item, (*loc, i), previous)
            result.append({"type": "item", "value": child_value, "id": item_id})
        return result

    def struct(self, block, value, loc, existing):
        if value is None and not _required(block):
            value = {}
        if not isinstance(value, dict):
            self.errors.append(_error(loc, f"Expected an object, got {_type_name(value)}."))
            return None
        existing = existing if isinstance(existing, dict) else {}
        result = {}
        for name, child in block.child_blocks.items():
            if name not in value:
                default = child.get_prep_value(child.get_default())
                if _required(child) and default in (None, "", [], {}):
                    self.errors.append(_error((*loc, name), "Field required", "missing"))
                    continue
                result[name] = default
                continue
            result[name] = self.value(child, value[name], (*loc, name), existing.get(name))
        return result

    def leaf(self, block, value, loc):
        if value is None:
            return None
        if isinstance(block, CitationsBlock):
            return self.sources(value, loc)
        if isinstance(block, blocks.RichTextBlock):
            return self.rich_text(block, value, loc)
        if isinstance(block, blocks.ChooserBlock):
            model = block.target_model
            if isinstance(value, bool) or not isinstance(value, int):
                self.errors.append(
                    _error(
                        loc, f"Expected the id of a {_model_name(model)}, got {_type_name(value)}."
                    )
                )
                return None
            self._look_up(model, value, loc)
            return value
        expected = None
        if isinstance(block, _STRING_BLOCKS) and not isinstance(value, str):
            expected = "a string"
        elif isinstance(block, _NUMBER_BLOCKS) and (
            isinstance(value, bool) or not isinstance(value, int | float | str)
        ):
            expected = "a number"
        elif isinstance(block, blocks.BooleanBlock) and not isinstance(value, bool):
            expected = "a boolean"
        if expected:
            self.errors.append(_error(loc, f"Expected {expected}, got {_type_name(value)}."))
            return None
        try:
            # What Wagtail's form data builder does next: a value it cannot take fails here.
            block.value_for_form(block.to_python(value))
        except (ValueError, TypeError, AttributeError, ValidationError, ObjectDoesNotExist):
            self.errors.append(_error(loc, f"Not a valid value: {value!r}."))
            return None
        return value

    def sources(self, value, loc):
        if not isinstance(value, list):
            self.errors.append(
                _error(loc, f"Expected a list of source numbers, got {_type_name(value)}.")
            )
            return None
        for j, number in enumerate(value):
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                self.errors.append(
                    _error((*loc, j), f"Expected a source number (1 or more), got {number!r}.")
                )
            else:
                self.citations.append(((*loc, j), number))
        return value

    def rich_text(self, block, value, loc):
        if not isinstance(value, str | dict):
            self.errors.append(
                _error(loc, f"Expected rich text (a string or an object), got {_type_name(value)}.")
            )
            return None
        try:
            db_html, _removals = APIRichText.convert_input(value, features=block.features)
        except ValueError as error:
            self.errors.append(_error(loc, str(error), "rich_text_format_error"))
            return None
        for attributes in _RICH_TEXT_TAG.findall(db_html):
            kind = _RICH_TEXT_KIND.search(attributes)
            if kind is None:
                continue  # an external link
            kind = kind.group(1)
            object_id = _RICH_TEXT_ID.search(attributes)
            object_id = object_id.group(1) if object_id else ""
            model = {"page": Page, "image": get_image_model()}.get(kind)
            if model is None:
                from wagtail.documents import get_document_model

                model = get_document_model()
            if not object_id.isdigit():
                self.errors.append(_error(loc, f"The rich text links to a {kind} without an id."))
                continue
            self._look_up(model, int(object_id), loc)
        return value

    # -- database checks ----------------------------------------------------------

    def _look_up(self, model, pk, loc):
        if isinstance(pk, bool) or not isinstance(pk, int):
            self.errors.append(
                _error(loc, f"Expected the id of a {_model_name(model)}, got {_type_name(pk)}.")
            )
            return
        self.lookups.setdefault(model, {}).setdefault(pk, []).append(loc)

    def _check_lookups(self):
        """One query per model for every id the body names; images also by permission."""
        for model, wanted in self.lookups.items():
            found = set(model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
            choosable = found
            if model is get_image_model() and found:
                choosable = set(
                    policy_registry.get_by_type(model)
                    .instances_user_has_any_permission_for(self.user, ["choose"])
                    .filter(pk__in=found)
                    .values_list("pk", flat=True)
                )
            name = _model_name(model)
            for pk, locs in wanted.items():
                for loc in locs:
                    if pk not in found:
                        self.errors.append(
                            _error(loc, f"No {name} with id {pk}.", "does_not_exist")
                        )
                    elif pk not in choosable:
                        self.errors.append(
                            _error(
                                loc,
                                f"Image {pk} is in a collection you may not choose images from.",
                                "permission_denied",
                            )
                        )

    def _check_citations(self, payload):
        """Every cited number must be in the reference list the page will have.

        Checked here because the model's own check reports on ``body``, which a form without
        the body (a PATCH of ``references`` alone) cannot show, and Wagtail then fails.
        """
        if not (
            self._model_field("references") is not None and self._model_field("body") is not None
        ):
            return
        if "references" in self.normalized:
            count = len(self.normalized["references"] or [])
        else:
            count = len(self._stored_raw("references"))
        if "body" in payload:
            for loc, number in self.citations:
                if number > count:
                    self.errors.append(
                        _error(
                            loc,
                            f"Source {number} is not in the reference list ({_sources(count)}).",
                            "unknown_source",
                        )
                    )
        elif "references" in payload and self.page is not None:
            highest = max(self.page.cited_numbers(), default=0)
            if highest > count:
                self.errors.append(
                    _error(
                        ("references",),
                        f"The body cites source {highest}, but the reference list would have "
                        f"{_sources(count)}.",
                        "unknown_source",
                    )
                )

    # -- Wagtail's own validation, with paths ------------------------------------

    def _wagtail_clean(self, name, value):
        """Run the block validation the form will run, to report its errors with paths.

        The same path as Wagtail's form: form data, ``value_from_datadict``, ``clean`` (with
        required fields deferred for a draft, as the admin does).
        """
        block = self.model._meta.get_field(name).stream_block
        data = MultiValueDict()
        form_data.flatten_block_value(block, value, name, data)
        bound = block.value_from_datadict(data, {}, name)
        try:
            if self.publish:
                block.clean(bound)
            else:
                block.clean_deferred(bound)
        except ValidationError as error:
            self._block_errors(block, value, get_error_json_data(error), (name,))

    def _block_errors(self, block, value, data, loc):
        for message in data.get("messages", []):
            self.errors.append(_error(loc, message))
        children = data.get("blockErrors") or {}
        if isinstance(block, blocks.BaseStreamBlock):
            for index, child_errors in children.items():
                item = value[int(index)]
                child = block.child_blocks[item["type"]]
                self._block_errors(child, item["value"], child_errors, (*loc, int(index), "value"))
        elif isinstance(block, blocks.ListBlock):
            for index, child_errors in children.items():
                item = value[int(index)]
                self._block_errors(
                    block.child_block, item["value"], child_errors, (*loc, int(index))
                )
        elif isinstance(block, blocks.BaseStructBlock):
            for name, child_errors in children.items():
                self._block_errors(
                    block.child_blocks[name], (value or {}).get(name), child_errors, (*loc, name)
                )


def _required(block):
    if isinstance(block, blocks.FieldBlock):
        return block.required
    return bool(getattr(block, "required", False))


def _model_name(model):
    return {"Page": "page", "Image": "image", "Document": "document"}.get(
        model.__name__, str(model._meta.verbose_name)
    )


def _sources(count):
    return f"{count} source" if count == 1 else f"{count} sources"


def _figure_from_read_shape(value):
    """Accept a figure as the API shows it: ``image`` an id, its alt text beside it.

    Wagtail stores ``{"image": {"image": <id>, "alt_text", "decorative"}, "caption", …}``;
    the read shape puts ``image`` (an id, or an object with ``id``), ``alt_text`` and
    ``decorative`` side by side, so a client can send back what it read.
    """
    if not isinstance(value, dict):
        return value
    image = value.get("image")
    if isinstance(image, dict) and "image" not in image and "id" in image:
        image = image["id"]
    if isinstance(image, dict) or (image is None and "image" not in value):
        return value
    figure = {k: v for k, v in value.items() if k not in ("alt_text", "decorative")}
    figure["image"] = {
        "image": image,
        "alt_text": value.get("alt_text", ""),
        "decorative": value.get("decorative", False),
    }
    return figure


def _plain(block, raw):
    """A value without ids, to compare what a client sent with what is stored."""
    if isinstance(block, blocks.ListBlock) and isinstance(raw, list):
        return [
            _plain(
                block.child_block, item["value"] if block._item_is_in_block_format(item) else item
            )
            for item in raw
        ]
    if isinstance(block, blocks.BaseStructBlock) and isinstance(raw, dict):
        return {name: _plain(child, raw.get(name)) for name, child in block.child_blocks.items()}
    if isinstance(block, blocks.BaseStreamBlock) and isinstance(raw, list):
        return [
            (item.get("type"), _plain(block.child_blocks.get(item.get("type")), item.get("value")))
            if isinstance(item, dict)
            else item
            for item in raw
        ]
    return raw


def _match_list_ids(child_block, items, stored):
    """Ids for a list's items: the client's, else a stored item's with the same content,
    else the next stored item's that is left over, else a new one.

    wagtail-localize keys translations by these ids: an unchanged item keeps its translation
    wherever it moves, an edited one keeps its place (only its text needs translating again).
    """
    ids = [given for given, _value in items]
    used = {given for given in ids if given}
    stored_plain = [(stored_id, _plain(child_block, raw)) for stored_id, raw in stored]
    for i, (given, value) in enumerate(items):
        if given:
            continue
        plain = _plain(child_block, value)
        match = next(
            (sid for sid, raw in stored_plain if sid not in used and raw == plain),
            None,
        )
        if match:
            ids[i] = match
            used.add(match)
    # What is left pairs up in order: an edited item keeps the id of the stored item it
    # replaces, however the items around it moved.
    unused = iter(stored_id for stored_id, _raw in stored if stored_id not in used)
    for i in range(len(items)):
        if not ids[i]:
            ids[i] = next(unused, None) or str(uuid.uuid4())
    return ids


# ---------------------------------------------------------------------------
# ETags and If-Match
# ---------------------------------------------------------------------------


class PreconditionFailed(Exception):
    """The page changed since the client read it (``If-Match`` did not match)."""


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


def check_if_match(request, page_id):
    """Compare ``If-Match`` with the page's current tag, holding the page's row lock.

    Called inside the transaction that saves, so a second writer with the same tag waits for
    the first one's commit and then sees a new tag. Weak tags (``W/"…"``) never match: If-Match
    compares strongly. ``*`` matches any existing page.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return
    current = current_etag(page_id, lock=True)
    if current is None:
        return  # no such page: the view answers 404
    tags = _if_match_tags(header)
    if "*" in tags or current in tags:
        return
    raise PreconditionFailed(
        "The page has changed since you read it (its ETag is now "
        f"{current}). Read it again and apply your change to the new version."
    )


def _can_write(user, page_id):
    """Whether the caller may change the page at all: otherwise the view answers 403, and
    a 412 must not tell them anything about the page's revisions first."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return False
    permissions = page.permissions_for_user(user)
    return permissions.can_edit() or permissions.can_publish()


# Wagtail's view functions (by name) that change one page, and those that take a body.
_PRECONDITION_VIEWS = {"update_page", "publish", "unpublish", "delete", "revert"}
_BODY_VIEWS = {"update_page", "create_page"}
# Operations whose answer shows a page a token holder may write next.
_TAGGED_OPERATIONS = {
    "pages_detail",
    "pages_update",
    "pages_create",
    "pages_actions_publish",
    "pages_actions_unpublish",
    "pages_actions_revert",
}


def _guarded_write(view_func):
    """Wraps a page write (after authentication and parsing): If-Match, then the body check,
    then Wagtail's view, all in one transaction."""
    name = view_func.__name__
    if name not in _PRECONDITION_VIEWS | _BODY_VIEWS:
        return view_func

    @functools.wraps(view_func)
    def view(request: HttpRequest, *args, **kwargs):
        with transaction.atomic():
            page_id = kwargs.get("page_id")
            if (
                name in _PRECONDITION_VIEWS
                and page_id is not None
                and request.user.is_authenticated
                and _can_write(request.user, page_id)
            ):
                check_if_match(request, page_id)
            if name in _BODY_VIEWS and "data" in kwargs and _may_write(request, name):
                with translation.override("en"):
                    _check_body(request, kwargs["data"], page_id)
            with translation.override("en"):
                return view_func(request, *args, **kwargs)

    return view


def _may_write(request, name):
    """Wagtail's own coarse permission check comes first: a caller who may not add or change
    pages at all gets its 403, not a report on their body."""
    action = "add" if name == "create_page" else "change"
    return policy_registry.get_by_type(Page).user_has_any_permission(request.user, [action])


def _check_body(request, data, page_id):
    from wagtail.coreutils import resolve_model_string

    meta = getattr(data, "meta", None)
    model = resolve_model_string(meta.type) if meta is not None and meta.type else None
    page = None
    if page_id is not None:
        specific = Page.objects.filter(pk=page_id).first()
        if specific is None:
            return  # the view answers 404
        if model is None:
            model = specific.specific_class
        page = specific.specific.get_latest_revision_as_object()
    if model is None:
        return
    payload = data.model_dump(exclude={"meta"}, exclude_unset=True)
    publish = getattr(meta, "action", None) == "publish"
    checker = BodyChecker(model, page, request.user, publish=publish)
    for field_name, value in checker.check(payload).items():
        setattr(data, field_name, value)


def _tagged_response(run):
    """Wraps an operation's run (the whole request): the answer to a token holder gets the
    page's ETag, so that the next write can send it back in ``If-Match``."""
    operation = getattr(run, "__self__", None)
    if getattr(operation, "operation_id", None) not in _TAGGED_OPERATIONS:
        return run

    @functools.wraps(run)
    def tagged(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        if response.status_code not in (200, 201) or not request.user.is_authenticated:
            return response
        page_id = kwargs.get("page_id")
        if page_id is None:  # a new page: its id is in the answer
            try:
                page_id = json.loads(response.content)["id"]
            except (ValueError, KeyError, TypeError):
                return response
        version = request.GET.get("version", "live") if request.method == "GET" else "draft"
        etag = current_etag(page_id, version=version)
        if etag:
            response["ETag"] = etag
        return response

    return tagged


pages_router.add_decorator(_guarded_write, mode="operation")
pages_router.add_decorator(_tagged_response, mode="view")


def _precondition_failed(request, exc):
    return problem_response(status=412, detail=str(exc))


def _body_errors(request, exc):
    return problem_response(status=422, detail="Validation failed", errors=exc.errors)


api_v3.add_exception_handler(PreconditionFailed, _precondition_failed)
api_v3.add_exception_handler(BodyErrors, _body_errors)


def _body_field_paths(wagtail_handler):
    """A write's 422 names every error by its path in the JSON the client sent.

    ninja prefixes the request part, the parameter and the page type of the schema union
    (``["body", "data", "news.ArticlePage", "title"]``) where Wagtail's form errors and
    :class:`BodyChecker` say ``["title"]`` or ``["body", 0, "value", "heading"]``: a client
    gets one kind of path for every error of a write.
    """

    def handler(request, exc):
        response = wagtail_handler(request, exc)
        if request.method in ("GET", "HEAD") or response.status_code != 422:
            return response
        document = json.loads(response.content)
        for error in document.get("errors") or []:
            loc = list(error.get("loc") or [])
            if loc[:2] == ["body", "data"]:
                loc = loc[2:]
                if loc and isinstance(loc[0], str) and loc[0] in _PAGE_TYPE_LABELS:
                    loc = loc[1:]
                error["loc"] = loc
        return problem_response(
            status=422, detail=document.get("detail", ""), errors=document.get("errors")
        )

    return handler


_PAGE_TYPE_LABELS = {model._meta.label for model in get_page_models()}
for _error_class in (NinjaValidationError, PydanticValidationError):
    api_v3.add_exception_handler(
        _error_class, _body_field_paths(api_v3._exception_handlers[_error_class])
    )


# ---------------------------------------------------------------------------
# The OpenAPI document: If-Match, ETag, 412 and 422 on the writes
# ---------------------------------------------------------------------------

_IF_MATCH_OPERATIONS = {
    "pages_update",
    "pages_delete",
    "pages_actions_delete",
    "pages_actions_publish",
    "pages_actions_unpublish",
    "pages_actions_revert",
}
_BODY_OPERATIONS = {"pages_update", "pages_create"}


def _documented_writes(get_openapi_schema):
    """Adds what ninja cannot express from the view signatures: the optional ``If-Match``
    header, the ``ETag`` of the answers, and the 412 and 422 problem answers."""

    def schema(*args, **kwargs):
        document = get_openapi_schema(*args, **kwargs)
        problem = {"$ref": "#/components/schemas/ProblemDetail"}
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ProblemDetail", ProblemDetail.model_json_schema())
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict):
                    continue
                operation_id = operation.get("operationId")
                responses = operation.setdefault("responses", {})
                if operation_id in _IF_MATCH_OPERATIONS:
                    operation.setdefault("parameters", []).append(
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": False,
                            "description": (
                                "The ETag of your last read of the page (with your token). "
                                "If the page changed since, nothing is saved and the answer "
                                "is 412."
                            ),
                            "schema": {"type": "string"},
                        }
                    )
                    responses[412] = {
                        "description": "The page changed since the ETag sent in If-Match.",
                        "content": {"application/problem+json": {"schema": problem}},
                    }
                if operation_id in _BODY_OPERATIONS:
                    responses[422] = {
                        "description": (
                            "The body is not valid; each entry of errors names its path "
                            "(loc) and says why (msg). Nothing is saved."
                        ),
                        "content": {"application/problem+json": {"schema": problem}},
                    }
                if operation_id in _TAGGED_OPERATIONS:
                    for status, answer in responses.items():
                        if str(status) in ("200", "201") and isinstance(answer, dict):
                            answer.setdefault("headers", {})["ETag"] = {
                                "description": (
                                    "With a token: the page's revision tag, to send back "
                                    "in If-Match."
                                ),
                                "schema": {"type": "string"},
                            }
        return document

    return schema


api_v3.get_openapi_schema = _documented_writes(api_v3.get_openapi_schema)

__all__ = ["BodyChecker", "BodyErrors", "PreconditionFailed", "current_etag", "page_etag"]
