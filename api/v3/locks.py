"""Wagtail's locks, honoured by every v3 action that changes a page: 423 Locked.

An editor locks a page in the admin ("Lock"), a workflow task locks it while it waits for its
reviewers, and a page scheduled to go live is locked until then. Wagtail's own v3 actions check
none of these except the edit (and that one answers a bare 403): a page locked by one editor
could be published, unpublished, moved or deleted by another through the API. ``api.v3.pages``
calls :func:`check_lock` for each such operation, under the page's row lock and after
Wagtail's permission check would pass, so a caller who may not change the page learns nothing
of its lock. Whom a lock applies to is Wagtail's rule (``BaseLock.for_user``): the editor who
locked a page may still act on it; a superuser is stopped like anyone else, as in the admin,
where they may unlock it first.
"""

from wagtail.admin.utils import get_user_display_name
from wagtail.locks import BasicLock, ScheduledForPublishLock, WorkflowLock


class PageLocked(Exception):
    """A change to a page that a lock keeps from this user; answered 423 (``api.v3.errors``)."""

    def __init__(self, detail, lock):
        super().__init__(detail)
        self.lock = lock  # the problem's "lock" member: {"kind", ...}


def check_lock(user, page):
    """Raise :class:`PageLocked` if a lock on ``page`` (a specific page) applies to ``user``."""
    lock = page.get_lock()
    if lock is None or not lock.for_user(user):
        return
    raise PageLocked(*describe(lock))


def describe(lock):
    """What a client is told about a lock: a sentence, and the same as data."""
    if isinstance(lock, BasicLock):
        page = lock.object
        if page.locked_by_id is None:
            return "The page is locked; no one can change it until it is unlocked.", {
                "kind": "user",
                "locked_by": None,
                "locked_at": _iso(page.locked_at),
            }
        name = get_user_display_name(page.locked_by)
        since = f" since {_iso(page.locked_at)}" if page.locked_at else ""
        return (
            f"The page is locked by {name}{since}. Only they can change it until it is "
            "unlocked: ask them, or an editor who may unlock pages, to unlock it in the admin.",
            {"kind": "user", "locked_by": name, "locked_at": _iso(page.locked_at)},
        )
    if isinstance(lock, WorkflowLock):
        state = lock.object.current_workflow_state
        workflow = state.workflow.name if state else None
        task = lock.task.name
        in_workflow = f' of the workflow "{workflow}"' if workflow else ""
        return (
            f'The page is in moderation: the task "{task}"{in_workflow} locks it for everyone '
            "but its reviewers until they approve or reject it.",
            {"kind": "workflow", "workflow": workflow, "task": task},
        )
    if isinstance(lock, ScheduledForPublishLock):
        revision = lock.object.scheduled_revision
        at = _iso(revision.approved_go_live_at) if revision else None
        when = f" at {at}" if at else ""
        return (
            f"The page is scheduled to go live{when}; no one can change it until then, unless "
            "an editor cancels the schedule in the admin.",
            {"kind": "scheduled", "go_live_at": at},
        )
    return "The page is locked.", {"kind": "other"}


def _iso(moment):
    return moment.isoformat() if moment else None
