"""v3 writes with API tokens: block ids kept, 422 naming the path, images checked, If-Match."""

import copy
import json
import re
import threading
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
)
from wagtail_localize.models import StringSegment, TranslationSource

from news.models import ArticlePage
from tests.api.tokens import token_for
from tests.factories import (
    ImageFactory,
    full_article,
    image_block,
    list_block,
    paragraph,
    reference,
    section,
)
from tests.translations.reviewing import mark_reviewed
from translations.machine import OfflineTranslator
from translations.operations import PageTranslator

PROBLEM = "application/problem+json"
TYPE = {"type": "news.ArticlePage"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def image(db):
    return ImageFactory(title="Crater", file__width=1600, file__height=900)


@pytest.fixture
def article(index, category, image):
    """A live Japanese article: two sections (paragraph, nested list, quote, callout), an
    image, a link to another page, and two references."""
    return full_article(
        index,
        title="月面着陸",
        slug="moon-landing",
        category=category,
        body=[
            section(
                "First",
                [
                    paragraph("The lander touched down.", sources=[1]),
                    list_block(items=("One", "Two", "Three"), children=("Nested",)),
                    paragraph(f'See <a linktype="page" id="{index.pk}">all articles</a>.'),
                ],
            ),
            section("Second", [paragraph("Samples return.", sources=[2]), image_block(image)]),
        ],
        references=[reference(1, "phys.org"), reference(2, "apnews.com")],
    )


def url(page):
    return f"/api/v3/pages/{page.pk}/"


def read(client, page, auth, **params):
    """What a frontend edits: the stored rich text (db_html), read with its token."""
    return client.get(url(page), {"rich_text_format": "db_html", **params}, **auth)


def patch(client, page, auth, data, **headers):
    """A PATCH as a careful client sends it: with the tag of its read (``If-Match`` is
    required), unless the test gives its own ``HTTP_IF_MATCH`` (``None``: no header)."""
    if "HTTP_IF_MATCH" not in headers:
        current = client.get(url(page), {"version": "draft"}, **auth)
        if current.status_code == 200:
            headers["HTTP_IF_MATCH"] = current["ETag"]
    elif headers["HTTP_IF_MATCH"] is None:
        del headers["HTTP_IF_MATCH"]
    return client.patch(
        url(page),
        json.dumps({"meta": TYPE, **data}),
        content_type="application/json",
        **auth,
        **headers,
    )


def stored(page):
    return ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object()


def revisions(page):
    return Page.objects.get(pk=page.pk).revisions.count()


def text(rich_text):
    """Stored rich text without the block keys Wagtail's editor adds to it on every save."""
    return re.sub(r' data-block-key="[^"]*"', "", rich_text.source)


def block_ids(raw):
    """Every id in a stored StreamField value (stream children and list items), by path."""
    ids = []

    def walk(value, path):
        if isinstance(value, dict):
            if "id" in value and "type" in value:
                ids.append((path, value["id"]))
            for key, child in value.items():
                if key != "id":
                    walk(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, (*path, i))

    walk(raw, ())
    return ids


# ---------------------------------------------------------------------------
# Block ids
# ---------------------------------------------------------------------------


def test_a_patch_of_what_was_read_keeps_every_block_id(client, auth, article):
    before = block_ids(list(stored(article).body.raw_data))
    body = read(client, article, auth).json()["body"]
    body[0]["value"]["content"][0]["value"]["text"] = "<p>The lander touched down at dawn.</p>"

    response = patch(client, article, auth, {"body": body})

    assert response.status_code == 200, response.content
    page = stored(article)
    after = block_ids(list(page.body.raw_data))
    # Stream children and list items (which the API does not show) alike.
    assert after == before
    assert any("items" in path for path, _id in after)
    assert "at dawn" in text(page.body[0].value["content"][0].value["text"])
    assert [block["id"] for block in response.json()["body"]] == [block["id"] for block in body]


def test_a_block_sent_without_id_gets_a_new_one(client, auth, article):
    body = read(client, article, auth).json()["body"]
    body[1]["value"]["content"].append(paragraph("A new paragraph."))
    del body[1]["value"]["content"][-1]["id"]

    response = patch(client, article, auth, {"body": body})

    assert response.status_code == 200, response.content
    content = stored(article).body[1].value["content"]
    new_id = content[-1].id
    assert new_id and new_id not in {block.id for block in content[:-1]}
    assert response.json()["body"][1]["value"]["content"][-1]["id"] == new_id


def test_list_items_keep_their_ids_when_reordered_edited_or_joined(client, auth, article):
    def items(page):
        block = page.body[0].value["content"][1]
        return [
            (child.id, text(child.value["text"])) for child in block.value["items"].bound_blocks
        ]

    (one, _), (two, _), (three, _) = items(stored(article))
    body = read(client, article, auth).json()["body"]
    listed = body[0]["value"]["content"][1]["value"]["items"]
    # "Three" moves to the top, "Two" is edited in place, a new item is added at the end.
    listed[:] = [
        listed[2],
        listed[0],
        {**listed[1], "text": "<p>Two, corrected</p>"},
        {"text": "<p>Four</p>", "sources": [], "children": []},
    ]

    response = patch(client, article, auth, {"body": body})

    assert response.status_code == 200, response.content
    after = items(stored(article))
    assert after[:3] == [
        (three, "<p>Three</p>"),
        (one, "<p>One</p>"),
        (two, "<p>Two, corrected</p>"),
    ]
    assert after[3][0] not in {one, two, three}
    assert after[3][1] == "<p>Four</p>"


def test_a_list_item_may_carry_its_id_in_the_block_format(client, auth, article):
    (first, *_rest) = stored(article).body[0].value["content"][1].value["items"].bound_blocks
    body = read(client, article, auth).json()["body"]
    listed = body[0]["value"]["content"][1]["value"]["items"]
    listed.reverse()
    listed[-1] = {"type": "item", "id": first.id, "value": {**listed[-1], "text": "<p>Uno</p>"}}

    response = patch(client, article, auth, {"body": body})

    assert response.status_code == 200, response.content
    last = stored(article).body[0].value["content"][1].value["items"].bound_blocks[-1]
    assert (last.id, text(last.value["text"])) == (first.id, "<p>Uno</p>")


def segment_translations(source, locale):
    """{segment path (made of block ids): translation or None} of a translation source."""
    return dict(
        StringSegment.objects.filter(source=source)
        .annotate_translation(locale)
        .values_list("context__path", "translation")
    )


def test_a_v3_patch_leaves_every_other_segment_translation_attached(
    client, auth, article, locales, english_tree
):
    """The translations app's path: translate, publish; PATCH the source via v3 and publish;
    sync. Only the changed paragraph needs translating again."""
    en = locales["en"]
    PageTranslator([en], machine_translator=OfflineTranslator({})).translate_page(article)
    mark_reviewed(en)
    article.get_translation(en).save_revision().publish()
    source = TranslationSource.objects.get(object_id=article.translation_key, locale=article.locale)
    before = segment_translations(source, en)
    assert before and all(before.values())
    assert any(".items." in path for path in before)  # list items are segments too

    body = read(client, article, auth).json()["body"]
    body[1]["value"]["content"][0]["value"]["text"] = "<p>Samples return next year.</p>"
    response = patch(client, article, auth, {"body": body, "meta": {**TYPE, "action": "publish"}})
    assert response.status_code == 200, response.content

    PageTranslator([en]).translate_page(ArticlePage.objects.get(pk=article.pk))

    source.refresh_from_db()
    after = segment_translations(source, en)
    assert after.keys() == before.keys()  # every segment kept its place (its block ids)
    untranslated = [path for path, text in after.items() if text is None]
    assert len(untranslated) == 1
    changed = StringSegment.objects.get(source=source, context__path=untranslated[0])
    assert changed.string.data == "Samples return next year."
    assert {p: t for p, t in after.items() if p not in untranslated} == {
        p: t for p, t in before.items() if p not in untranslated
    }


def without_ids(value):
    """A body as most integrations send it: no ``id`` on any block."""
    if isinstance(value, dict):
        return {key: without_ids(child) for key, child in value.items() if key != "id"}
    if isinstance(value, list):
        return [without_ids(child) for child in value]
    return value


@pytest.fixture
def translated_article(article, locales, english_tree):
    """The article translated into English, the translation live, every segment translated."""
    en = locales["en"]
    PageTranslator([en], machine_translator=OfflineTranslator({})).translate_page(article)
    mark_reviewed(en)
    article.get_translation(en).save_revision().publish()
    source = TranslationSource.objects.get(object_id=article.translation_key, locale=article.locale)
    before = segment_translations(source, en)
    assert before and all(before.values())
    return source


def patch_publish_and_sync(client, auth, article, body, en):
    response = patch(client, article, auth, {"body": body, "meta": {**TYPE, "action": "publish"}})
    assert response.status_code == 200, response.content
    PageTranslator([en]).translate_page(ArticlePage.objects.get(pk=article.pk))
    return response


def test_an_unchanged_body_sent_without_ids_keeps_every_translation(
    client, auth, article, locales, translated_article
):
    """Issue 10, item 2: an integration sends the body back without block ids; the blocks it
    did not change keep their ids, so the translation keeps every segment."""
    en = locales["en"]
    source = translated_article
    before = segment_translations(source, en)
    ids_before = block_ids(list(stored(article).body.raw_data))
    body = without_ids(read(client, article, auth).json()["body"])

    patch_publish_and_sync(client, auth, article, body, en)

    assert block_ids(list(stored(article).body.raw_data)) == ids_before
    source.refresh_from_db()
    assert segment_translations(source, en) == before


def test_one_paragraph_changed_without_ids_needs_only_its_own_translation(
    client, auth, article, locales, translated_article
):
    en = locales["en"]
    source = translated_article
    before = segment_translations(source, en)
    body = without_ids(read(client, article, auth).json()["body"])
    body[1]["value"]["content"][0]["value"]["text"] = "<p>Samples return next year.</p>"

    patch_publish_and_sync(client, auth, article, body, en)

    source.refresh_from_db()
    after = segment_translations(source, en)
    assert after.keys() == before.keys()
    untranslated = [path for path, text in after.items() if text is None]
    assert len(untranslated) == 1
    changed = StringSegment.objects.get(source=source, context__path=untranslated[0])
    assert changed.string.data == "Samples return next year."


def test_blocks_moved_inserted_and_edited_without_ids_keep_the_ids_they_continue(
    client, auth, article
):
    """Equal blocks keep their ids wherever they move; an edited block keeps the id of the
    block at its place; a new block gets a new id; no id is given twice."""
    page = stored(article)
    first, second = page.body
    lander, listing, link = first.value["content"]
    body = without_ids(read(client, article, auth).json()["body"])
    content = body[0]["value"]["content"]
    # A new paragraph at the top, the list edited, the link paragraph copied at the end.
    content[1]["value"]["items"][0]["text"] = "<p>One, corrected</p>"
    content[:] = [
        {"type": "paragraph", "value": {"text": "<p>Breaking.</p>", "sources": []}},
        *content,
        copy.deepcopy(content[2]),
    ]
    body.reverse()  # the sections swap places

    response = patch(client, article, auth, {"body": body})

    assert response.status_code == 200, response.content
    after = stored(article).body
    assert [block.id for block in after] == [second.id, first.id]
    ids = [block.id for block in after[1].value["content"]]
    assert ids[1:4] == [lander.id, listing.id, link.id]
    assert ids[0] not in {lander.id, listing.id, link.id}
    assert ids[4] not in {lander.id, listing.id, link.id}
    all_ids = [block_id for _path, block_id in block_ids(list(after.raw_data))]
    assert len(all_ids) == len(set(all_ids))


# ---------------------------------------------------------------------------
# Bad bodies: 422 with the path, nothing saved
# ---------------------------------------------------------------------------

S0 = ["body", 0, "value"]
P0 = [*S0, "content", 0, "value"]
L0 = [*S0, "content", 1, "value"]


def body_with(change):
    def build(body, image):
        change(body, image)
        return {"body": body}

    return build


def set_in(path, value):
    def change(body, image):
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return body_with(change)


def drop(path):
    def change(body, image):
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return body_with(change)


def add_figure(value):
    def change(body, image):
        figure = value(image) if callable(value) else value
        body[1]["value"]["content"].append({"type": "image", "value": figure})

    return body_with(change)


def fields(**data):
    return lambda body, image: data


BAD_BODIES = [
    # (case, body change, path of the error, words of the message)
    ("block not an object", set_in(["body", 0][1:], "text"), ["body", 0], "Expected a block"),
    ("block without type", drop([0, "type"]), ["body", 0, "type"], "Field required"),
    ("unknown block type", set_in([0, "type"], "chapter"), ["body", 0, "type"], "Unknown block"),
    ("block without value", drop([0, "value"]), S0, "Field required"),
    ("value a string", set_in([0, "value"], "text"), S0, "Expected an object"),
    ("id not a string", set_in([0, "id"], 7), ["body", 0, "id"], "Expected a string"),
    ("content not a list", set_in([0, "value", "content"], {}), [*S0, "content"], "list"),
    (
        "nested unknown type",
        set_in([0, "value", "content", 2, "type"], "table"),
        [*S0, "content", 2, "type"],
        "Unknown block type 'table'",
    ),
    ("heading missing", drop([0, "value", "heading"]), [*S0, "heading"], "Field required"),
    ("heading a list", set_in([0, "value", "heading"], ["a"]), [*S0, "heading"], "string"),
    ("text missing", drop([0, "value", "content", 0, "value", "text"]), [*P0, "text"], "required"),
    (
        "text a number",
        set_in([0, "value", "content", 0, "value", "text"], 3),
        [*P0, "text"],
        "rich",
    ),
    (
        "rich text in an unknown format",
        set_in([0, "value", "content", 0, "value", "text"], {"format": "rtf", "content": "x"}),
        [*P0, "text"],
        "format",
    ),
    (
        "rich text linking to no page",
        set_in(
            [0, "value", "content", 0, "value", "text"],
            '<p><a linktype="page" id="99999">gone</a></p>',
        ),
        [*P0, "text"],
        "No page with id 99999",
    ),
    (
        "sources a string",
        set_in([0, "value", "content", 0, "value", "sources"], "1"),
        [*P0, "sources"],
        "list",
    ),
    (
        "source not a number",
        set_in([0, "value", "content", 0, "value", "sources"], ["a"]),
        [*P0, "sources", 0],
        "source number",
    ),
    (
        "citation to a missing reference",
        set_in([0, "value", "content", 0, "value", "sources"], [1, 3]),
        [*P0, "sources", 1],
        "Source 3 is not in the reference list",
    ),
    (
        "list items not a list",
        set_in([0, "value", "content", 1, "value", "items"], "x"),
        [*L0, "items"],
        "list",
    ),
    (
        "unknown list style",
        set_in([0, "value", "content", 1, "value", "style"], "roman"),
        [*L0, "style"],
        "valid choice",
    ),
    (
        "nested item text a number",
        set_in([0, "value", "content", 1, "value", "items", 0, "children", 0, "text"], 5),
        [*L0, "items", 0, "children", 0, "text"],
        "rich text",
    ),
    (
        "quote text an object",
        body_with(
            lambda body, image: body[0]["value"]["content"].append(
                {"type": "quote", "value": {"text": {"a": 1}}}
            )
        ),
        [*S0, "content", 3, "value", "text"],
        "Expected a string",
    ),
    (
        "image that does not exist",
        add_figure({"image": {"image": 99999, "alt_text": "x"}, "caption": "", "credit": ""}),
        ["body", 1, "value", "content", 2, "value", "image", "image"],
        "No image with id 99999",
    ),
    (
        "image that does not exist, as read",
        add_figure({"image": 99999, "alt_text": "x", "caption": ""}),
        ["body", 1, "value", "content", 2, "value", "image", "image"],
        "No image with id 99999",
    ),
    (
        "image id a string",
        add_figure({"image": "crater.jpg", "alt_text": "x"}),
        ["body", 1, "value", "content", 2, "value", "image", "image"],
        "Expected the id of a image",
    ),
    (
        "embed not a URL string",
        body_with(
            lambda body, image: body[1]["value"]["content"].append(
                {"type": "embed", "value": {"embed": 42}}
            )
        ),
        ["body", 1, "value", "content", 2, "value", "embed"],
        "Expected a string",
    ),
    ("body not a list", fields(body="text"), ["body"], "valid list"),
    (
        "reference URL not a URL",
        fields(references=[reference(1), {**reference(2), "value": {"title": "T", "url": "nope"}}]),
        ["references", 1, "value", "url"],
        "valid URL",
    ),
    (
        "reference date not a date",
        fields(
            references=[
                {
                    **reference(1),
                    "value": {"title": "T", "url": "https://a.org", "published": "2025-13-45"},
                },
                reference(2),
            ]
        ),
        ["references", 0, "value", "published"],
        "valid",
    ),
    (
        "references that the body outgrows",
        fields(references=[reference(1)]),
        ["references"],
        "cites source 2",
    ),
    ("title a number", fields(title=5), ["title"], "valid string"),
    ("title too long", fields(title="x" * 256), ["title"], "at most 255"),
    ("subtitle too long", fields(subtitle="x" * 256), ["subtitle"], "at most 255"),
    (
        "lead image that does not exist",
        fields(lead_image_id=99999),
        ["lead_image_id"],
        "No image with id 99999",
    ),
    (
        "lead image id a string",
        fields(lead_image_id="crater"),
        ["lead_image_id"],
        "Expected the id of a image, got a string",
    ),
]


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [case[1:] for case in BAD_BODIES],
    ids=[case[0] for case in BAD_BODIES],
)
def test_a_bad_body_answers_422_naming_the_path_and_saves_nothing(
    client, auth, article, image, change, loc, words, settings
):
    settings.DEBUG = False  # an unexpected exception must fail the test, not become a 500 page
    body = read(client, article, auth).json()["body"]
    count, raw = revisions(article), list(stored(article).body.raw_data)

    response = patch(client, article, auth, change(copy.deepcopy(body), image))

    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422 and problem["detail"] == "Validation failed"
    matching = [error for error in problem["errors"] if error["loc"] == loc]
    assert matching, problem["errors"]
    assert words.lower() in matching[0]["msg"].lower()
    assert matching[0]["msg"].isascii()  # English, whatever the page's language
    assert revisions(article) == count
    assert list(stored(article).body.raw_data) == raw


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        (set_in([0, "value", "content"], []), [*S0, "content"]),
        (set_in([0, "value", "content", 1, "value", "items"], []), [*L0, "items"]),
    ],
    ids=["empty section", "empty list"],
)
def test_incomplete_blocks_may_be_saved_as_a_draft_but_not_published(
    client, auth, article, image, change, loc
):
    """As in the admin: a draft may be unfinished; publishing checks everything."""
    body = read(client, article, auth).json()["body"]
    data = change(copy.deepcopy(body), image)
    count = revisions(article)

    published = patch(client, article, auth, {**data, "meta": {**TYPE, "action": "publish"}})

    assert published.status_code == 422, published.content
    assert loc in [error["loc"] for error in published.json()["errors"]]
    assert revisions(article) == count
    assert patch(client, article, auth, data).status_code == 200


@pytest.mark.parametrize("action", ["publish", "draft"])
def test_an_empty_heading_and_a_missing_source_are_both_named_in_one_answer(
    client, auth, article, image, action
):
    """As in the admin: a section's heading is needed in a draft too, and every mistake of
    a write comes in one answer."""
    body = read(client, article, auth).json()["body"]
    body[0]["value"]["heading"] = ""
    body[0]["value"]["content"][0]["value"]["sources"] = [1, 9]
    count = revisions(article)
    data = {"body": body}
    if action == "publish":
        data["meta"] = {**TYPE, "action": "publish"}

    response = patch(client, article, auth, data)

    assert response.status_code == 422, response.content
    errors = {tuple(error["loc"]): error["msg"] for error in response.json()["errors"]}
    assert (*S0, "heading") in errors
    assert "Source 9 is not in the reference list" in errors[(*P0, "sources", 1)]
    assert revisions(article) == count


@pytest.mark.parametrize("number", [0, -1, 10_000, 2**63, 10**100])
def test_impossible_source_numbers_are_named(client, auth, article, image, number, settings):
    settings.DEBUG = False
    body = read(client, article, auth).json()["body"]
    body[0]["value"]["content"][0]["value"]["sources"] = [1, number]

    response = patch(client, article, auth, {"body": body})

    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["loc"] == [*P0, "sources", 1]
    assert "Expected a source number (1 to 9999)" in error["msg"]


def test_a_figure_may_be_sent_back_as_read(client, auth, article, image):
    body = read(client, article, auth).json()["body"]
    figure = body[1]["value"]["content"][1]
    figure["value"]["caption"] = "A new caption"

    response = patch(client, article, auth, {"body": body})

    assert response.status_code == 200, response.content
    value = stored(article).body[1].value["content"][1].value
    assert value["caption"] == "A new caption"
    assert value["image"].pk == image.pk
    assert value["image"].contextual_alt_text == "A crater seen from orbit"


def test_a_good_lead_image_is_saved(client, auth, article):
    other = ImageFactory(title="Lander")

    response = patch(client, article, auth, {"lead_image_id": other.pk})

    assert response.status_code == 200, response.content
    assert stored(article).lead_image_id == other.pk


@pytest.fixture
def section_editor(index, django_user_model):
    """An editor of the Japanese articles who may choose images of one collection only."""
    group = Group.objects.create(name="Article editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for action in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=index, permission=Permission.objects.get(codename=action)
        )
    photos = Collection.get_first_root_node().add_child(name="Photo desk")
    GroupCollectionPermission.objects.create(
        group=group, collection=photos, permission=Permission.objects.get(codename="choose_image")
    )
    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw")
    user.groups.add(group)
    return user, photos


def test_an_image_the_token_holder_may_not_choose_is_refused(client, article, section_editor):
    user, photos = section_editor
    auth = token_for(user)
    allowed = ImageFactory(title="Desk photo", collection=photos)
    private = ImageFactory(title="Root photo")  # the root collection: not theirs to choose

    refused = patch(client, article, auth, {"lead_image_id": private.pk})
    accepted = patch(client, article, auth, {"lead_image_id": allowed.pk})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["lead_image_id"]
    assert "may not choose" in refused.json()["errors"][0]["msg"]
    assert accepted.status_code == 200, accepted.content
    assert stored(article).lead_image_id == allowed.pk


# ---------------------------------------------------------------------------
# ETag and If-Match
# ---------------------------------------------------------------------------


def etag_of(client, page, auth, **params):
    """The tag of an editor's read: the latest revision (``version=draft``) unless asked."""
    response = read(client, page, auth, **{"version": "draft", **params})
    assert response.status_code == 200
    return response["ETag"]


def test_a_token_holder_reads_a_strong_revision_tag(client, auth, article):
    tag = etag_of(client, article, auth)

    assert tag.startswith('"') and tag.endswith('"')  # strong: not W/"…"
    assert etag_of(client, article, auth, rich_text_format="html") == tag
    assert read(client, article, auth)["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ("{tag}", 200),
        ("*", 200),
        ('"0.0.0", {tag}', 200),
        ("W/{tag}", 412),  # If-Match compares strongly: a weak tag never matches
        ('"5.5.5"', 412),
        ("{stale}", 412),
        (None, 428),  # a PATCH must say which version it changes
    ],
    ids=["current", "star", "one of several", "weak", "unknown", "stale", "missing"],
)
def test_if_match_on_patch(client, auth, article, if_match, status):
    stale = etag_of(client, article, auth)
    assert patch(client, article, auth, {"subtitle": "First edit"}).status_code == 200
    tag = etag_of(client, article, auth)
    assert tag != stale
    headers = {"HTTP_IF_MATCH": None if if_match is None else if_match.format(tag=tag, stale=stale)}
    count = revisions(article)

    response = patch(client, article, auth, {"subtitle": "Second edit"}, **headers)

    assert response.status_code == status, response.content
    if status in (412, 428):
        assert response["Content-Type"] == PROBLEM
        assert ("changed since you read it" if status == 412 else "If-Match") in response.json()[
            "detail"
        ]
        assert revisions(article) == count
        assert stored(article).subtitle == "First edit"
    else:
        assert stored(article).subtitle == "Second edit"
        # The answer carries the new tag, the same a read now gives: writes can be chained.
        assert response["ETag"] == etag_of(client, article, auth) != tag


def test_two_clients_read_the_same_tag_the_first_write_wins(client, auth, article, admin_user):
    other = token_for(admin_user)
    tag = etag_of(client, article, auth)
    assert etag_of(client, article, other) == tag

    first = patch(client, article, auth, {"summary": "Mine."}, HTTP_IF_MATCH=tag)
    second = patch(client, article, other, {"summary": "Theirs."}, HTTP_IF_MATCH=tag)

    assert first.status_code == 200
    assert second.status_code == 412
    assert stored(article).summary == "Mine."
    # The loser reads again and applies its change to the new version.
    retry = patch(
        client,
        article,
        other,
        {"summary": "Theirs."},
        HTTP_IF_MATCH=etag_of(client, article, other),
    )
    assert retry.status_code == 200


def test_the_live_version_of_a_page_with_a_draft_is_stale_for_writing(client, auth, article):
    assert patch(client, article, auth, {"subtitle": "A draft"}).status_code == 200
    live_tag = etag_of(client, article, auth, version="live")  # the default: the live text
    draft_tag = etag_of(client, article, auth, version="draft")
    assert live_tag != draft_tag

    stale = patch(client, article, auth, {"summary": "x"}, HTTP_IF_MATCH=live_tag)
    current = patch(client, article, auth, {"summary": "x"}, HTTP_IF_MATCH=draft_tag)

    assert stale.status_code == 412
    assert current.status_code == 200


def test_publishing_since_the_read_makes_the_tag_stale(client, auth, article):
    assert patch(client, article, auth, {"subtitle": "A draft"}).status_code == 200
    tag = etag_of(client, article, auth, version="draft")
    stored(article).get_latest_revision().publish()

    response = patch(client, article, auth, {"subtitle": "Mine"}, HTTP_IF_MATCH=tag)

    assert response.status_code == 412


def action(client, page, auth, name, data=None, **headers):
    return client.post(
        f"{url(page)}actions/{name}/",
        json.dumps(data or {}),
        content_type="application/json",
        **auth,
        **headers,
    )


@pytest.mark.parametrize("name", ["publish", "unpublish", "revert", "delete"])
def test_if_match_on_the_other_writes(client, auth, article, name):
    first_revision = stored(article).save_revision()
    stale = etag_of(client, article, auth)
    assert patch(client, article, auth, {"subtitle": "Edited"}).status_code == 200
    data = {"revision_id": first_revision.pk} if name == "revert" else None

    def send(tag):
        if name == "delete":
            return client.delete(url(article), **auth, HTTP_IF_MATCH=tag)
        return action(client, article, auth, name, data, HTTP_IF_MATCH=tag)

    refused = send(stale)
    assert refused.status_code == 412, refused.content
    assert Page.objects.filter(pk=article.pk, live=True).exists()

    accepted = send(etag_of(client, article, auth, version="draft"))
    assert accepted.status_code in (200, 204), accepted.content
    if accepted.status_code == 200:
        assert accepted["ETag"] == etag_of(client, article, auth, version="draft")


def test_a_caller_who_may_not_edit_gets_403_not_412(client, article, django_user_model):
    reader = django_user_model.objects.create_user("reader", "reader@example.com", "pw")
    reader.groups.add(Group.objects.get(name="Editors"))  # may edit pages, not this tree's
    GroupPagePermission.objects.filter(group__name="Editors").delete()
    other = Page.objects.get(depth=1).add_child(title="Elsewhere", slug="elsewhere")
    GroupPagePermission.objects.create(
        group=Group.objects.get(name="Editors"),
        page=other,
        permission=Permission.objects.get(codename="change_page"),
    )

    response = patch(client, article, token_for(reader), {"subtitle": "x"}, HTTP_IF_MATCH='"1.1.1"')

    assert response.status_code == 403


def test_the_openapi_document_describes_if_match_and_the_problems(client, db):
    document = client.get("/api/v3/openapi.json").json()
    update = document["paths"]["/api/v3/pages/{page_id}/"]["patch"]

    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in update["parameters"])
    assert {"412", "422"} <= update["responses"].keys()
    assert "ETag" in update["responses"]["200"]["headers"]
    publish = document["paths"]["/api/v3/pages/{page_id}/actions/publish/"]["post"]
    assert "412" in publish["responses"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_writes_with_one_tag_one_wins(auth, article, monkeypatch):
    """Two writes with the same tag at the same moment: the second waits for the first's row
    lock, then sees the new tag. Without the lock both would pass the comparison."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; the suite also runs on PostgreSQL")
    from api.v3 import bodies

    tag = etag_of(Client(), article, auth)
    check = bodies.BodyChecker.check

    def slow_check(self, payload):
        time.sleep(0.5)  # holds the row lock while the other write arrives
        return check(self, payload)

    monkeypatch.setattr(bodies.BodyChecker, "check", slow_check)
    statuses = []

    def write(summary, delay):
        time.sleep(delay)
        try:
            response = patch(Client(), article, auth, {"summary": summary}, HTTP_IF_MATCH=tag)
            statuses.append((summary, response.status_code))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=("First.", 0)),
        threading.Thread(target=write, args=("Second.", 0.2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [("First.", 200), ("Second.", 412)]
    assert stored(article).summary == "First."


def create(client, auth, index, **fields):
    data = {"meta": {**TYPE, "parent_id": index.pk}, "title": "新しい記事", **fields}
    return client.post("/api/v3/pages/", json.dumps(data), content_type="application/json", **auth)


def test_a_new_article_is_checked_the_same_way(client, auth, index, image):
    count = ArticlePage.objects.count()
    body = [section("One", [paragraph("Cites nothing yet.", sources=[1])])]

    refused = create(client, auth, index, summary="S.", body=body)
    accepted = create(client, auth, index, summary="S.", body=body, references=[reference(1)])

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == [*P0, "sources", 0]
    assert accepted.status_code == 201, accepted.content
    assert ArticlePage.objects.count() == count + 1
    page = ArticlePage.objects.get(pk=accepted.json()["id"])
    assert accepted["ETag"] == f'"{page.pk}.{page.latest_revision_id}.0"'
    assert page.get_latest_revision_as_object().body[0].id == body[0]["id"]
