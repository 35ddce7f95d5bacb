"""Ids for the blocks of a v3 write: stream children and ``ListBlock`` items, at every level.

wagtail-localize keys each translated segment by the block ids on its path
(``body.<section id>.content.<paragraph id>.text``). Most integrations send a body without
ids (the API's list items have none to send), and Wagtail gives every block without one a new
id: one PATCH of an unchanged body used to detach nearly every segment of every translation.

:func:`assign` gives each block sent without an id the id of the stored block it continues,
level by level, inside the stored block its parent continues:

1. an id the client sent is kept (the first time it appears; a copy gets a new one);
2. a stored block of the same type with an equal value (compared without ids, rich text as it
   will be stored), wherever it moved;
3. a stored block of the same type at the same place: between the stored blocks that its
   neighbours continue (or at the same index when the blocks around it moved);
4. the stored blocks of its type still left, in order (an edited block whose neighbours
   all moved);
5. otherwise none, and Wagtail gives it a new one.

An edited block so keeps its id and its place in the translation: only its own text needs
translating again.

No id is given twice in one field. ``api.v3.bodies`` calls it once a write's body is checked,
and ``compat.wagtail_api.keep_list_item_ids`` hands the ids of list items to Wagtail's form.
"""

import json
from collections import defaultdict

from wagtail import blocks

from compat.wagtail_api import is_list_item_in_block_format


def plain(block, raw, rich_text):
    """A value without ids, to compare what a client sent with what is stored;
    ``rich_text(block, value)`` gives rich text as it is stored."""
    if block is None:
        return raw
    if isinstance(block, blocks.ListBlock) and isinstance(raw, list):
        return [
            plain(
                block.child_block,
                item["value"] if is_list_item_in_block_format(item) else item,
                rich_text,
            )
            for item in raw
        ]
    if isinstance(block, blocks.BaseStructBlock) and isinstance(raw, dict):
        return {
            name: plain(child, raw.get(name), rich_text)
            for name, child in block.child_blocks.items()
        }
    if isinstance(block, blocks.BaseStreamBlock) and isinstance(raw, list):
        return [
            [
                item.get("type"),
                plain(block.child_blocks.get(item.get("type")), item.get("value"), rich_text),
            ]
            if isinstance(item, dict)
            else item
            for item in raw
        ]
    if isinstance(block, blocks.RichTextBlock):
        return rich_text(block, raw)
    return raw


def assign(block, value, stored, rich_text):
    """Set the ids of the blocks of ``value`` (a StreamField's value, normalized by
    ``api.v3.bodies``: stream children and list items as ``{"type", "value", "id"}``) from
    ``stored`` (the field's stored raw value)."""
    used = set()
    _collect_given(block, value, used)
    _assign(block, value, stored, rich_text, used)


def _collect_given(block, value, used):
    for _child, item, _kind in _children(block, value):
        if item.get("id"):
            used.add(item["id"])
    for child, item, _kind in _children(block, value):
        _collect_given(child, item["value"], used)
    if isinstance(block, blocks.BaseStructBlock) and isinstance(value, dict):
        for name, child in block.child_blocks.items():
            _collect_given(child, value.get(name), used)


def _children(block, value):
    """(child block, item, type) for each id-carrying item of a stream or list value."""
    if not isinstance(value, list):
        return []
    if isinstance(block, blocks.BaseStreamBlock):
        return [
            (block.child_blocks[item["type"]], item, item["type"])
            for item in value
            if isinstance(item, dict) and item.get("type") in block.child_blocks
        ]
    if isinstance(block, blocks.ListBlock):
        return [
            (block.child_block, item, "item")
            for item in value
            if is_list_item_in_block_format(item)
        ]
    return []


def _stored_children(block, stored):
    if not isinstance(stored, list):
        return []
    if isinstance(block, blocks.BaseStreamBlock):
        return [
            (item["id"], item.get("type"), item.get("value"))
            for item in stored
            if isinstance(item, dict) and item.get("id") and item.get("type") in block.child_blocks
        ]
    if isinstance(block, blocks.ListBlock):
        return [
            (item["id"], "item", item["value"])
            for item in stored
            if is_list_item_in_block_format(item) and item["id"]
        ]
    return []


def _assign(block, value, stored, rich_text, used):
    if isinstance(block, blocks.BaseStructBlock):
        if isinstance(value, dict):
            stored = stored if isinstance(stored, dict) else {}
            for name, child in block.child_blocks.items():
                _assign(child, value.get(name), stored.get(name), rich_text, used)
        return
    items = _children(block, value)
    if not items:
        return
    previous = _stored_children(block, stored)

    def key(child, kind, raw):
        return json.dumps([kind, plain(child, raw, rich_text)], sort_keys=True, default=str)

    ids = match(
        [(item.get("id"), kind, key(child, kind, item["value"])) for child, item, kind in items],
        [
            (stored_id, kind, key(_child_block(block, kind), kind, raw))
            for stored_id, kind, raw in previous
        ],
        used,
    )
    by_id = {stored_id: (kind, raw) for stored_id, kind, raw in previous}
    for (child, item, kind), block_id in zip(items, ids, strict=True):
        item["id"] = block_id
        stored_kind, stored_raw = by_id.get(block_id, (None, None))
        _assign(child, item["value"], stored_raw if stored_kind == kind else None, rich_text, used)


def _child_block(block, kind):
    if isinstance(block, blocks.ListBlock):
        return block.child_block
    return block.child_blocks[kind]


def match(entries, stored, used):
    """Ids for ``entries`` (``(given id, type, key)``) from ``stored`` (``(id, type, key)``),
    never one in ``used`` (to which the ids given are added); None where nothing fits."""
    ids = [given or None for given, _kind, _key in entries]
    index_of = {stored_id: j for j, (stored_id, _kind, _key) in enumerate(stored)}
    # Where each entry continues the stored list, for the neighbours of the ones left over.
    place = [index_of.get(given) for given in ids]

    def take(i, j):
        ids[i] = stored[j][0]
        place[i] = j
        used.add(stored[j][0])

    # Same type, equal value: wherever it moved.
    equal = defaultdict(list)
    for j, (_stored_id, kind, key) in enumerate(stored):
        equal[(kind, key)].append(j)
    for i, (given, kind, key) in enumerate(entries):
        if given:
            continue
        candidates = equal.get((kind, key), [])
        while candidates and stored[candidates[0]][0] in used:
            candidates.pop(0)
        if candidates:
            take(i, candidates.pop(0))

    # Same type, same place: between the stored blocks its neighbours continue.
    for i, (_given, kind, _key) in enumerate(entries):
        if ids[i]:
            continue
        before = next((place[k] for k in range(i - 1, -1, -1) if place[k] is not None), -1)
        after = next(
            (place[k] for k in range(i + 1, len(entries)) if place[k] is not None), len(stored)
        )
        # Its neighbours moved past each other: the place is its index.
        window = range(before + 1, after) if before < after else range(i, i + 1)
        for j in window:
            if j < len(stored) and stored[j][1] == kind and stored[j][0] not in used:
                take(i, j)
                break

    # What is left pairs up in order, by type: an edited block whose neighbours all moved.
    for i, (_given, kind, _key) in enumerate(entries):
        if ids[i]:
            continue
        j = next(
            (
                j
                for j, (stored_id, k, _key) in enumerate(stored)
                if k == kind and stored_id not in used
            ),
            None,
        )
        if j is not None:
            take(i, j)
    return ids
