"""Ids for the items of a ``ListBlock`` in a v3 write.

List items have no ids in the API's JSON, and Wagtail gives them new ones on every write;
wagtail-localize keys each translated segment by the ids on its path, so one PATCH used to
detach the translations of every list item. The ids are matched to the stored items here
(``api.v3.bodies`` calls it for every list), and handed to Wagtail's form
(``compat.wagtail_api.keep_list_item_ids``).
"""

import uuid

from wagtail import blocks

from compat.wagtail_api import is_list_item_in_block_format


def plain(block, raw):
    """A value without ids, to compare what a client sent with what is stored."""
    if isinstance(block, blocks.ListBlock) and isinstance(raw, list):
        return [
            plain(block.child_block, item["value"] if is_list_item_in_block_format(item) else item)
            for item in raw
        ]
    if isinstance(block, blocks.BaseStructBlock) and isinstance(raw, dict):
        return {name: plain(child, raw.get(name)) for name, child in block.child_blocks.items()}
    if isinstance(block, blocks.BaseStreamBlock) and isinstance(raw, list):
        return [
            (item.get("type"), plain(block.child_blocks.get(item.get("type")), item.get("value")))
            if isinstance(item, dict)
            else item
            for item in raw
        ]
    return raw


def match_list_ids(child_block, items, stored):
    """Ids for a list's items: the client's, else a stored item's with the same content,
    else the next stored item's that is left over, else a new one.

    wagtail-localize keys translations by these ids: an unchanged item keeps its translation
    wherever it moves, an edited one keeps its place (only its text needs translating again).
    """
    ids = [given for given, _value in items]
    used = {given for given in ids if given}
    stored_plain = [(stored_id, plain(child_block, raw)) for stored_id, raw in stored]
    for i, (given, value) in enumerate(items):
        if given:
            continue
        content = plain(child_block, value)
        match = next(
            (sid for sid, raw in stored_plain if sid not in used and raw == content),
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
