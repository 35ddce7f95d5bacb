"""Receivers that record what a frontend can see change: ``ContentChange`` rows, and the clock.

Every save, delete and many-to-many change of content also moves the content clock
(``changes.clock``), whose time is the API's ``Last-Modified``; the rows below say what
changed, the clock only when.

Every row is written by the receiver of the signal that announces the change, in the same
database transaction as the change when the caller holds one, so that a rolled-back publish
leaves no event behind. Only the live site counts: saving a draft, or a page that was never
published, records nothing.

Pages
    ``page_published`` (admin, API, scheduled publishing, wagtail-localize's sync, copies
    published on creation), ``page_unpublished``, deletion (one ``page.deleted`` per live page
    that disappears, descendants included), and URL changes: a move or a slug change gives
    one ``page.moved`` per live page whose URL changed, the moved page's descendants included,
    since a frontend that caches by URL needs each old and new URL.

Privacy
    Anonymous readers cannot see a page under a view restriction. A restriction added to a
    live page is an unpublish for them (``reason: "restricted"``), a restriction removed a
    publish (``reason: "unrestricted"``). Each row says in ``data["public"]`` whether it is
    about content anonymous readers could see; the public feed serves only those rows.

Snippets
    Every registered snippet: ``snippet.saved`` / ``snippet.deleted`` on save and delete, or,
    for snippets with drafts (``DraftStateMixin``), on publish and unpublish.
"""

import threading

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from wagtail.models import DraftStateMixin, Page, PageViewRestriction, TranslatableMixin
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    pre_page_move,
    published,
    unpublished,
)
from wagtail.snippets.models import get_snippet_models

from . import clock
from .models import ContentChange

Event = ContentChange.Event

# Whether the outer part of a page's ancestry was public before a move, by page id: written
# by ``pre_page_move``, read by the save that completes the move (in the same thread).
_moves = threading.local()


# ---------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------


def record(event, obj, **data):
    """Write one change. ``create`` (not ``bulk_create``): the webhooks app listens to
    ``post_save`` of every row."""
    return ContentChange.objects.create(
        event=event,
        object_type=_label(obj),
        object_id=obj.pk,
        translation_key=getattr(obj, "translation_key", None),
        locale=_language(obj),
        data=data,
    )


def _label(obj):
    if isinstance(obj, Page):
        # The page's own type, also when Wagtail hands over a plain ``Page``.
        return (obj.specific_class or type(obj))._meta.label
    return obj._meta.label


def _language(obj):
    if not isinstance(obj, TranslatableMixin) and not isinstance(obj, Page):
        return ""
    return obj.locale.language_code if obj.locale_id else ""


def page_data(page, public, **extra):
    """What a frontend needs to find the page again: its title and URL at the time."""
    data = {
        "title": page.title,
        "url_path": page.url_path,
        "html_url": page.get_full_url(),
        "public": public,
    }
    data.update(extra)
    return data


def _url_at(url_path):
    """The full URL a page had at ``url_path`` (only the path and the sites decide it)."""
    return Page(url_path=url_path).get_full_url()


# ---------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------


def _ancestry(path, steplen=Page.steplen):
    """The tree paths of the page at ``path`` and of every ancestor."""
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def restricted_paths(pages, exclude_restriction=None):
    """Paths of the pages among the ancestries of ``pages`` that carry a view restriction.

    One query however many pages: the privacy of each page is then read with ``is_public``.
    Any restriction counts, as in Wagtail's ``PageQuerySet.public()``.
    """
    paths = {prefix for page in pages for prefix in _ancestry(page.path)}
    if not paths:
        return set()
    restrictions = PageViewRestriction.objects.filter(page__path__in=paths)
    if exclude_restriction is not None:
        restrictions = restrictions.exclude(pk=exclude_restriction)
    return set(restrictions.values_list("page__path", flat=True))


def is_public(page, restricted):
    return not any(page.path.startswith(path) for path in restricted)


# ---------------------------------------------------------------------------
# Publishing and unpublishing
# ---------------------------------------------------------------------------


def on_page_published(sender, instance, **kwargs):
    record(Event.PAGE_PUBLISHED, instance, **page_data(instance, _public(instance)))


def on_page_unpublished(sender, instance, **kwargs):
    # Before deleting a live page, Wagtail unpublishes it in memory only (never saved) and
    # sends this signal: the row in the database is still live. That page is recorded once,
    # as deleted (``on_page_pre_delete``); any real unpublish has been saved by now.
    if Page.objects.filter(pk=instance.pk, live=True).exists():
        return
    record(Event.PAGE_UNPUBLISHED, instance, **page_data(instance, _public(instance)))


def _public(page):
    return is_public(page, restricted_paths([page]))


# ---------------------------------------------------------------------------
# Deletion
# ---------------------------------------------------------------------------


def on_page_pre_delete(sender, instance, origin=None, **kwargs):
    """One ``page.deleted`` per live page that disappears.

    Deleting a page deletes its descendants in the same query, and Django sends this signal
    for each of them before deleting anything: the pages' state (live, URL, privacy) is
    still in the database, read once per deletion for all of its pages (``origin``).
    Wagtail's own receiver may already have marked the page not live in memory (receivers
    run in the order apps connect them), so ``instance.live`` cannot be trusted here.
    """
    pages = _deleted_live_pages(origin, instance)
    page = pages.get(instance.pk)
    if page is not None:
        record(Event.PAGE_DELETED, page, **page_data(page, page.was_public))


def _deleted_live_pages(origin, instance):
    cached = getattr(origin, "_ukiyo_deleted_live_pages", None)
    if cached is not None:
        return cached
    is_page_query = getattr(origin, "model", None) is not None and issubclass(origin.model, Page)
    if is_page_query and not isinstance(origin, Page):
        scope = Q(pk__in=origin.values("pk"))
    else:
        scope = Q(pk=instance.pk)
    pages = list(Page.objects.filter(scope, live=True).select_related("locale"))
    restricted = restricted_paths(pages)
    for page in pages:
        page.was_public = is_public(page, restricted)
    found = {page.pk: page for page in pages}
    if is_page_query and not isinstance(origin, Page):
        origin._ukiyo_deleted_live_pages = found
    return found


# ---------------------------------------------------------------------------
# Moves and slug changes
# ---------------------------------------------------------------------------


def on_pre_page_move(sender, instance, **kwargs):
    # After the move only the new ancestors can be read: keep whether the old ones let
    # anonymous readers in. Restrictions inside the moved section travel with it.
    ancestors = _ancestry(instance.path)[:-1]
    outer_public = not PageViewRestriction.objects.filter(page__path__in=ancestors).exists()
    if not hasattr(_moves, "outer_public"):
        _moves.outer_public = {}
    _moves.outer_public[instance.pk] = outer_public


def on_post_page_move(sender, instance, **kwargs):
    # The save inside the move has recorded it; forget what a failed move may have left.
    getattr(_moves, "outer_public", {}).pop(instance.pk, None)


def on_page_pre_save(instance, update_fields=None, **kwargs):
    """Remember the URL a page is leaving, for it and its live descendants.

    Wagtail sets the new ``url_path`` before saving, both when a page moves and when its
    slug changes, and rewrites the descendants' after: the stored row still has the old one.
    Comparing them here catches both, inside the transaction of the change (the
    ``post_page_move`` and ``page_slug_changed`` signals come after it). A page that is not
    live counts too: live pages under it move with it. Draft saves name their fields and
    leave ``url_path`` out: no query for them.
    """
    if instance.pk is None:
        return
    if update_fields is not None and not {"url_path", "slug"} & set(update_fields):
        return
    before = Page.objects.filter(pk=instance.pk).values_list("url_path", flat=True)
    old_url_path = before.first()
    if old_url_path is not None and old_url_path != instance.url_path:
        instance._ukiyo_old_url_path = old_url_path


def on_page_post_save(instance, **kwargs):
    old_url_path = instance.__dict__.pop("_ukiyo_old_url_path", None)
    if old_url_path is None:
        return
    new_url_path = instance.url_path
    outer_public_before = getattr(_moves, "outer_public", {}).pop(instance.pk, None)

    # The moved page and its live descendants, whose url_path Wagtail has not rewritten yet.
    pages = list(
        Page.objects.filter(path__startswith=instance.path, live=True)
        .select_related("locale")
        .order_by("path")
    )
    restricted = restricted_paths(pages)
    outer_public_after = not (restricted & set(_ancestry(instance.path)[:-1]))
    if outer_public_before is None:  # a slug change: the ancestors are the same
        outer_public_before = outer_public_after
    for page in pages:
        old = _url_path_before(page.url_path, old_url_path, new_url_path)
        new = new_url_path + old[len(old_url_path) :]
        inner_public = is_public(page, restricted - set(_ancestry(instance.path)[:-1]))
        public_before = outer_public_before and inner_public
        public_after = outer_public_after and inner_public
        extra = {"moved_with": instance.pk} if page.pk != instance.pk else {}
        if public_before and not public_after:
            # Moved into a private section: gone, for anonymous readers, from where it was.
            page.url_path = old
            data = page_data(page, True, reason="restricted", **extra)
            record(Event.PAGE_UNPUBLISHED, page, **data)
            continue
        page.url_path = new
        if public_after and not public_before:
            # Out of a private section: new to anonymous readers, its old URL still private.
            data = page_data(page, True, reason="unrestricted", **extra)
            record(Event.PAGE_PUBLISHED, page, **data)
        else:
            extra.update(previous_url_path=old, previous_html_url=_url_at(old))
            record(Event.PAGE_MOVED, page, **page_data(page, public_after, **extra))


def _url_path_before(url_path, old_prefix, new_prefix):
    if url_path.startswith(old_prefix):
        return url_path
    return old_prefix + url_path[len(new_prefix) :]


# ---------------------------------------------------------------------------
# View restrictions
# ---------------------------------------------------------------------------


def on_restriction_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return  # a changed restriction (password to groups...) keeps the page private
    section = _live_section(instance.page)
    # Pages that were public before this restriction: for anonymous readers, unpublished.
    restricted_before = restricted_paths(section, exclude_restriction=instance.pk)
    for page in section:
        if is_public(page, restricted_before):
            record(Event.PAGE_UNPUBLISHED, page, **page_data(page, True, reason="restricted"))


def on_restriction_deleted(sender, instance, origin=None, **kwargs):
    # A restriction deleted with its page: the page's deletion is the change.
    if not isinstance(origin, PageViewRestriction) and getattr(origin, "model", None) is not (
        PageViewRestriction
    ):
        return
    try:
        page = Page.objects.get(pk=instance.page_id)
    except Page.DoesNotExist:
        return
    section = _live_section(page)
    restricted = restricted_paths(section)
    for page in section:
        if is_public(page, restricted):
            record(Event.PAGE_PUBLISHED, page, **page_data(page, True, reason="unrestricted"))


def _live_section(page):
    return list(
        Page.objects.filter(path__startswith=page.path, live=True)
        .select_related("locale")
        .order_by("path")
    )


# ---------------------------------------------------------------------------
# Snippets
# ---------------------------------------------------------------------------


def is_snippet(model):
    return model in get_snippet_models()


def snippet_data(instance):
    return {"title": str(instance), "public": True}


def on_post_save(sender, instance, created=False, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    # One receiver for every model: pages and snippets have no common base class. A raw save
    # is a fixture or a database restore being loaded, not an edit (Django's rule for signal
    # receivers): restoring a snapshot must leave the database as it was.
    if raw:
        return
    clock.content_changed(sender, using)
    if isinstance(instance, Page):
        on_page_post_save(instance)
    elif is_snippet(sender) and not issubclass(sender, DraftStateMixin):
        record(Event.SNIPPET_SAVED, instance, **snippet_data(instance))


def on_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if not raw and isinstance(instance, Page):
        on_page_pre_save(instance, update_fields=update_fields)


def on_post_delete(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    clock.content_changed(sender, using)
    if is_snippet(sender):
        record(Event.SNIPPET_DELETED, instance, **snippet_data(instance))


def on_m2m_changed(sender, instance, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if action.startswith("post_"):
        clock.content_changed(type(instance), using)


def on_published(sender, instance, **kwargs):
    # Snippets with drafts change for readers when published; pages have their own signal.
    if not isinstance(instance, Page) and is_snippet(sender):
        record(Event.SNIPPET_SAVED, instance, **snippet_data(instance))


def on_unpublished(sender, instance, **kwargs):
    if not isinstance(instance, Page) and is_snippet(sender):
        record(Event.SNIPPET_DELETED, instance, reason="unpublished", **snippet_data(instance))


def connect():
    uid = "ukiyo-changes-"
    page_published.connect(on_page_published, dispatch_uid=uid + "page-published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid=uid + "page-unpublished")
    # Django sends deletion signals for the plain ``Page`` of every deleted page (Wagtail
    # deletes through its tree queryset), whatever its type.
    pre_delete.connect(on_page_pre_delete, sender=Page, dispatch_uid=uid + "page-delete")
    pre_page_move.connect(on_pre_page_move, dispatch_uid=uid + "pre-move")
    post_page_move.connect(on_post_page_move, dispatch_uid=uid + "post-move")
    pre_save.connect(on_pre_save, dispatch_uid=uid + "pre-save")
    post_save.connect(on_post_save, dispatch_uid=uid + "post-save")
    post_delete.connect(on_post_delete, dispatch_uid=uid + "post-delete")
    m2m_changed.connect(on_m2m_changed, dispatch_uid=uid + "m2m")
    published.connect(on_published, dispatch_uid=uid + "published")
    unpublished.connect(on_unpublished, dispatch_uid=uid + "unpublished")
    post_save.connect(
        on_restriction_saved, sender=PageViewRestriction, dispatch_uid=uid + "restricted"
    )
    post_delete.connect(
        on_restriction_deleted, sender=PageViewRestriction, dispatch_uid=uid + "unrestricted"
    )
