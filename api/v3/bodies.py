"""Reading a v3 write's body against the page model: every mistake a 422 with its path.

Wagtail's v3 page writes (``PATCH /api/v3/pages/<id>/``, ``POST /api/v3/pages/``) turn the JSON
body into an admin form. A body of the wrong shape reached code that indexes into it and
answered 500; other mistakes were saved silently (an image that does not exist, a block type
with a typo). :class:`BodyChecker` reads every StreamField of the body against its block
definitions first, then runs Wagtail's own block validation, and raises :class:`BodyErrors`
(answered 422 by ``api.v3.errors``) with each error's path
(``["body", 0, "value", "content", 2, "value", "text"]``), before anything is saved.

It also gives every block sent without an id (stream children and ``ListBlock`` items, at
every level) the id of the stored block it continues (``api.v3.block_ids``):
wagtail-localize keys translations by those ids.

The checker knows Wagtail's blocks; the domain apps teach it theirs, from their
``AppConfig.ready()``: ``accept_input_shape`` (a block that also takes the shape the API
reads out), ``check_leaf`` (a block whose value needs its own check, with paths),
``check_page`` (a rule across the fields of one page type) and ``check_fields`` (a rule on
fields that need nothing of the blocks). ``news.api.writes`` adds the article's: figures as read,
source numbers, citations within the reference list, its category, authors and date.

API error messages stay English, like Wagtail's, whatever the page's language.
"""

import functools
import re
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.datastructures import MultiValueDict
from wagtail import blocks
from wagtail.api.rich_text import APIRichText
from wagtail.api.v3 import form_data
from wagtail.blocks.base import get_error_json_data
from wagtail.documents import get_document_model
from wagtail.embeds.blocks import EmbedBlock
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.permissions import policy_registry

from compat.wagtail_api import is_list_item_in_block_format

from . import block_ids, write_fields

_input_shapes = {}  # block class -> function(value) -> value
_leaf_rules = {}  # block class -> function(checker, value, loc) -> value
_page_rules = defaultdict(list)  # page model -> [function(checker, payload)]
_field_rules = defaultdict(list)  # page model -> [function(checker, payload)]


def accept_input_shape(block_class, accept):
    """Before checking, pass every value for a ``block_class`` block through ``accept``."""
    _input_shapes[block_class] = accept


def check_leaf(block_class, rule):
    """Check the values of ``block_class`` blocks with ``rule(checker, value, loc)``, which
    reports its errors (``checker.report``) and returns the value to save."""
    _leaf_rules[block_class] = rule


def check_page(model, rule):
    """Once the blocks are read, check a write of a ``model`` page with
    ``rule(checker, payload)``."""
    _page_rules[model].append(rule)


def check_fields(model, rule):
    """Check fields of a ``model`` page's write that need nothing of its blocks with
    ``rule(checker, payload)``, beside the blocks: one answer names their mistakes and the
    blocks' alike."""
    _field_rules[model].append(rule)


def _page_rules_for(model, registered=_page_rules):
    return [
        rule
        for rule_model, rules in registered.items()
        if issubclass(model, rule_model)
        for rule in rules
    ]


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


def problem(loc, msg, code="invalid"):
    return {"type": code, "loc": list(loc), "msg": msg}


def type_name(value):
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
    dropped), list items in the block format, and every block's id matched to the stored
    ones (``api.v3.block_ids``).
    ``errors`` collects every problem with its path. Database checks (images, linked pages,
    documents) are gathered and run once per model at the end, whatever the body's size.
    """

    def __init__(self, model, page, user, *, publish, locale_id=None, keys_sent=None):
        self.model = model
        self.page = page
        self.user = user
        self.publish = publish
        # The language of the page written (a new page's is its parent's): what it links to
        # (its category, its authors) must be in it.
        self.locale_id = locale_id if locale_id is not None else getattr(page, "locale_id", None)
        # The top-level keys of the body, read only to name a field sent under one of its
        # other keys (``api.v3.write_fields``).
        self._keys_sent = keys_sent or set
        self.errors = []
        self.normalized = {}
        # Values of other fields as the page's form takes them, put by the rules (a
        # category sent by its slug becomes its id).
        self.values = {}
        self.lookups = {}  # model -> {pk: [loc, …]}
        # What leaf rules noted for the page rules, by name (e.g. every cited source number).
        self.noted = defaultdict(list)
        self.blocks = 0
        self.max_blocks = settings.UKIYO_API_MAX_BLOCKS

    # -- entry point ------------------------------------------------------------

    def check(self, payload):
        """Check ``payload`` (field name → value as sent); raise :class:`BodyErrors` if bad."""
        for name, value in payload.items():
            field = self.model_field(name)
            if isinstance(field, StreamField):
                self.normalized[name] = self.stream(field.stream_block, value, (name,))
            elif (
                isinstance(field, models.ForeignKey)
                and value is not None
                and field.related_model is get_image_model()
            ):
                if isinstance(value, dict) and "id" in value:  # the image as the API reads it
                    value = self.values[name] = value["id"]
                self._look_up(field.related_model, value, (self.key(name, f"{name}_id"),))
        for rule in _page_rules_for(self.model, _field_rules):
            rule(self, payload)
        self._check_lookups()
        if not self.errors:
            # The body's shape is sound: every remaining check runs, so that one answer names
            # every mistake (a missing heading and a missing source alike).
            for rule in _page_rules_for(self.model):
                rule(self, payload)
            for name, value in self.normalized.items():
                self._wagtail_clean(name, value)
        if self.errors:
            raise BodyErrors(self.errors)
        for name, value in self.normalized.items():
            block = self.model._meta.get_field(name).stream_block
            block_ids.assign(block, value, self.stored_raw(name), stored_rich_text)
        return {**self.normalized, **self.values}

    def report(self, loc, msg, code="invalid"):
        self.errors.append(problem(loc, msg, code))

    def key(self, name, default=None):
        """The key of the body that carried the form field ``name``, to name it in an error."""
        keys = write_fields.keys_of(self.model, name) or (default or name,)
        if len(keys) > 1:
            sent = self._keys_sent()
            return next((key for key in keys if key in sent), keys[0])
        return keys[0]

    def count_blocks(self, value, loc):
        """Count the blocks of a stream or list; past the limit, stop reading the body."""
        self.blocks += len(value)
        if self.blocks > self.max_blocks:
            raise BodyErrors(
                [
                    problem(
                        loc[:1],
                        f"The body has more than {self.max_blocks} blocks (stream blocks and "
                        "list items at every depth), the most one write may send "
                        "(UKIYO_API_MAX_BLOCKS).",
                        "too_many_blocks",
                    )
                ]
            )

    def model_field(self, name):
        try:
            return self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    def stored_raw(self, name):
        """The stored value of a StreamField, raw (JSON), of the page being written."""
        if self.page is None:
            return []
        return list(getattr(self.page, name).raw_data)

    # -- shapes -----------------------------------------------------------------

    def value(self, block, value, loc):
        """Check ``value`` for ``block`` and return it normalized (None if it is unusable)."""
        for block_class, accept in _input_shapes.items():
            if isinstance(block, block_class):
                value = accept(value)
        if isinstance(block, blocks.BaseStreamBlock):
            return self.stream(block, value, loc)
        if isinstance(block, blocks.ListBlock):
            return self.list(block, value, loc)
        if isinstance(block, blocks.BaseStructBlock):
            return self.struct(block, value, loc)
        return self.leaf(block, value, loc)

    def stream(self, block, value, loc):
        if not isinstance(value, list):
            self.report(loc, f"Expected a list of blocks, got {type_name(value)}.")
            return None
        self.count_blocks(value, loc)
        seen_ids = set()
        result = []
        for i, item in enumerate(value):
            item_loc = (*loc, i)
            if not isinstance(item, dict):
                self.report(
                    item_loc,
                    f'Expected a block: an object with "type" and "value", got {type_name(item)}.',
                )
                continue
            block_type = item.get("type")
            if "type" not in item:
                self.report((*item_loc, "type"), "Field required", "missing")
                continue
            if block_type not in block.child_blocks:
                known = ", ".join(block.child_blocks)
                self.report(
                    (*item_loc, "type"),
                    f"Unknown block type {block_type!r}; expected one of: {known}.",
                    "unknown_block_type",
                )
                continue
            block_id = item.get("id")
            if block_id is not None and not isinstance(block_id, str):
                self.report((*item_loc, "id"), f"Expected a string, got {type_name(block_id)}.")
                continue
            if block_id in seen_ids:
                block_id = None  # a copied block: it gets an id of its own
            seen_ids.add(block_id)
            if "value" not in item:
                self.report((*item_loc, "value"), "Field required", "missing")
                continue
            child_value = self.value(
                block.child_blocks[block_type], item["value"], (*item_loc, "value")
            )
            normalized = {"type": block_type, "value": child_value}
            if block_id:
                normalized["id"] = block_id
            result.append(normalized)
        return result

    def list(self, block, value, loc):
        if not isinstance(value, list):
            self.report(loc, f"Expected a list, got {type_name(value)}.")
            return None
        self.count_blocks(value, loc)
        result = []
        given_ids = set()
        for i, item in enumerate(value):
            item_id = None
            if is_list_item_in_block_format(item) or (
                isinstance(item, dict)
                and item.keys() == {"type", "value"}
                and item["type"] == "item"
            ):
                item_id = item.get("id") if isinstance(item.get("id"), str) else None
                item = item["value"]
            if item_id in given_ids:
                item_id = None  # a copied item: it gets an id of its own
            given_ids.add(item_id)
            child_value = self.value(block.child_block, item, (*loc, i))
            result.append({"type": "item", "value": child_value, "id": item_id})
        return result

    def struct(self, block, value, loc):
        if value is None and not _required(block):
            value = {}
        if not isinstance(value, dict):
            self.report(loc, f"Expected an object, got {type_name(value)}.")
            return None
        result = {}
        for name, child in block.child_blocks.items():
            if name not in value:
                default = child.get_prep_value(child.get_default())
                if _required(child) and default in (None, "", [], {}):
                    self.report((*loc, name), "Field required", "missing")
                    continue
                result[name] = default
                continue
            result[name] = self.value(child, value[name], (*loc, name))
        return result

    def leaf(self, block, value, loc):
        if value is None:
            return None
        for block_class, rule in _leaf_rules.items():
            if isinstance(block, block_class):
                return rule(self, value, loc)
        if isinstance(block, blocks.RichTextBlock):
            return self.rich_text(block, value, loc)
        if isinstance(block, blocks.ChooserBlock):
            model = block.target_model
            if isinstance(value, bool) or not isinstance(value, int):
                self.report(
                    loc, f"Expected the id of a {model_name(model)}, got {type_name(value)}."
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
            self.report(loc, f"Expected {expected}, got {type_name(value)}.")
            return None
        try:
            # What Wagtail's form data builder does next: a value it cannot take fails here.
            block.value_for_form(block.to_python(value))
        except (ValueError, TypeError, AttributeError, ValidationError, ObjectDoesNotExist):
            self.report(loc, f"Not a valid value: {value!r}.")
            return None
        return value

    def rich_text(self, block, value, loc):
        if not isinstance(value, str | dict):
            self.report(loc, f"Expected rich text (a string or an object), got {type_name(value)}.")
            return None
        try:
            db_html, _removals = APIRichText.convert_input(value, features=block.features)
        except ValueError as error:
            self.report(loc, str(error), "rich_text_format_error")
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
                model = get_document_model()
            if not object_id.isdigit():
                self.report(loc, f"The rich text links to a {kind} without an id.")
                continue
            self._look_up(model, int(object_id), loc)
        return value

    # -- database checks ----------------------------------------------------------

    def _look_up(self, model, pk, loc):
        if isinstance(pk, bool) or not isinstance(pk, int):
            self.report(loc, f"Expected the id of a {model_name(model)}, got {type_name(pk)}.")
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
            name = model_name(model)
            for pk, locs in wanted.items():
                for loc in locs:
                    if pk not in found:
                        self.report(loc, f"No {name} with id {pk}.", "does_not_exist")
                    elif pk not in choosable:
                        self.report(
                            loc,
                            f"Image {pk} is in a collection you may not choose images from.",
                            "permission_denied",
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
            self.report(loc, message)
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


_BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


@functools.lru_cache(maxsize=1024)
def _db_html(text, rich_text_format, features):
    try:
        db_html, _removals = APIRichText.convert_input(
            {"format": rich_text_format, "content": text},
            features=list(features) if features is not None else None,
        )
    except ValueError:
        return text
    # Keys that Wagtail's editor adds to paragraphs when it saves: they say nothing of the text.
    return _BLOCK_KEY.sub("", db_html)


def stored_rich_text(block, value):
    """Rich text as it is stored, to tell whether a block sent without an id is unchanged."""
    features = tuple(block.features) if block.features is not None else None
    if isinstance(value, str):
        return _db_html(value, "db_html", features)
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return _db_html(value["content"], str(value.get("format", "db_html")), features)
    return value


def _required(block):
    if isinstance(block, blocks.FieldBlock):
        return block.required
    return bool(getattr(block, "required", False))


def model_name(model):
    return {"Page": "page", "Image": "image", "Document": "document"}.get(
        model.__name__, str(model._meta.verbose_name)
    )
