"""Where each query goes: the primary, or the read replica (``DATABASE_REPLICA_URL``).

Without a replica nothing here does anything: the router answers None to every question, as
if there were no router, and every query goes to the one database. With one (a PostgreSQL
standby that streams the primary's WAL; docs/configuration.md, "Read replica"):

Who reads the replica
    ``ReadReplicaMiddleware`` decides once per request, before the view (``may_read_replica``):
    anonymous readers' pages and the API's anonymous reads may; the admin, previews, anything
    sent with an API token, every method but GET, HEAD and OPTIONS, an editor's session and a
    browser that has just written (``STICKY_COOKIE``) read the primary. Outside a request (the
    management commands, migrations, the webhook worker) everything reads the primary.

What always reads the primary
    Every write goes to the primary, and once a request has written, its later reads follow
    (it reads what it wrote); so does anything inside ``transaction.atomic()`` on the primary.
    Migrations never run on the replica.

Readers never see older content than the caches were told about
    A replica replays the primary's changes a moment later. A publication moves the page
    cache's tags and purges the CDN right after its commit (``core.pagecache``): a reader's page
    rendered from a replica that has not replayed it yet would be kept, under the new tags,
    until the next change. So every commit that makes pages stale first records how far the
    primary's WAL had come (``note_change``), and a request reads the replica only if the
    replica has replayed at least that far (``_choose``); until then, readers read the primary.
    What a request read from the replica is kept in the page cache only if no change it may
    lack was recorded meanwhile (``reads_are_current``).

A replica that fails
    A replica that cannot be reached is left alone for ``UKIYO_REPLICA_RETRY_SECONDS`` and its
    readers read the primary. A read that fails on the replica halfway through a request is
    answered again from the primary (the middleware): a reader never gets a 500 from it.
"""

import contextvars
import logging
import time
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API_PREFIX = "/api/"

# Set on the answer to a request that wrote: the browser's next requests read the primary for
# UKIYO_REPLICA_STICKY_SECONDS (signed, and dated by its signature).
STICKY_COOKIE = "ukiyo_primary"
STICKY_SALT = "core.databases.sticky"

# In the page cache's store, which every process shares: how far the primary's WAL had come
# after the last change that made pages stale, and the lock that keeps that value rising.
LATEST_CHANGE = "replica:latest-change"
LATEST_CHANGE_LOCK = "replica:latest-change:lock"

# The primary's WAL position after a commit, as the position a standby reports once it has
# replayed everything up to it, and the sizes of WAL pages and segments to get there.
PRIMARY_POSITION_SQL = (
    "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn,"
    " current_setting('wal_block_size')::bigint,"
    " pg_size_bytes(current_setting('wal_segment_size'))"
)
# How far a standby has replayed (NULL on a server that is not replaying WAL).
REPLAYED_SQL = "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn"
# The header at the start of each WAL page, and the longer one on a segment's first page.
SHORT_PAGE_HEADER = 24
LONG_PAGE_HEADER = 40

_reads = contextvars.ContextVar("ukiyo_database_reads", default=None)
# time.monotonic() until which the replica is left alone after it failed.
_replica_down_until = 0.0


def configured():
    """Whether a read replica is configured (``DATABASE_REPLICA_URL``)."""
    return REPLICA in settings.DATABASES


class Reads:
    """How one request reads: ``allowed`` to read the replica or not; once its first read is
    routed, which database it reads (``chosen``) and, for the replica, how far the replica had
    replayed (``position``, None when it cannot tell); ``wrote`` once it wrote."""

    def __init__(self, allowed):
        self.allowed = allowed
        self.chosen = None
        self.position = None
        self.wrote = False


@contextmanager
def routing(reads):
    """Route the reads of the code in the block as ``reads`` says."""
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


class ReplicaRouter:
    """Django's database router (``DATABASE_ROUTERS``): reads to the replica when the
    request may and the replica is current, everything else to the primary."""

    def db_for_read(self, model, **hints):
        if not configured():
            return None
        reads = _reads.get()
        if reads is None or not reads.allowed or reads.wrote:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            # A transaction on the primary reads its own rows, and what it locks.
            return PRIMARY
        if reads.chosen is None:
            reads.chosen = _choose(reads)
        return reads.chosen

    def db_for_write(self, model, **hints):
        if not configured():
            return None
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from one may point to an
        # object read from the other.
        return True if configured() else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


# ---------------------------------------------------------------------------
# Who may read the replica
# ---------------------------------------------------------------------------


def may_read_replica(request):
    """Whether ``request`` may read the replica (called before its view, with its user)."""
    if request.method not in SAFE_METHODS:
        return False
    path = request.path_info
    if path.startswith(tuple(settings.UKIYO_REPLICA_PRIMARY_PATHS)):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        # An API token: an editor or an integration, who reads drafts and their own writes.
        return False
    if sticky(request):
        return False
    if path.startswith(API_PREFIX):
        return True  # the API reads no session (api.access)
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_editor(user):
            return False
    return True


def is_editor(user):
    """Someone who works in the admin: the site they read is the one they are editing."""
    return user.has_perm("wagtailadmin.access_admin")


def sticky(request):
    """Whether the browser wrote within the last ``UKIYO_REPLICA_STICKY_SECONDS``."""
    seconds = settings.UKIYO_REPLICA_STICKY_SECONDS
    if seconds <= 0 or STICKY_COOKIE not in request.COOKIES:
        return False
    value = request.get_signed_cookie(
        STICKY_COOKIE, default=None, salt=STICKY_SALT, max_age=seconds
    )
    return value is not None


def remember_write(request, response, reads):
    """After a request that wrote, the browser reads the primary for a while: what it wrote
    (a saved article, a changed setting, a publication) is there before the replica has it.
    Not on the API's answers, which carry no cookie (its writes come with a token, which
    reads the primary anyway)."""
    seconds = settings.UKIYO_REPLICA_STICKY_SECONDS
    if (
        not reads.wrote
        or seconds <= 0
        or request.method in SAFE_METHODS
        or request.path_info.startswith(API_PREFIX)
    ):
        return
    response.set_signed_cookie(
        STICKY_COOKIE,
        "1",
        salt=STICKY_SALT,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# ---------------------------------------------------------------------------
# Whether the replica can be read now
# ---------------------------------------------------------------------------


def _choose(reads):
    """The database a request that may read the replica reads: the replica if it answers
    and has replayed the last change readers must see, else the primary."""
    if time.monotonic() < _replica_down_until:
        return PRIMARY
    try:
        latest = latest_change()
    except Exception:
        # Without the shared store, nobody can say whether the replica is current.
        logger.warning("The last change is unknown (cache unreachable): reading the primary.")
        return PRIMARY
    try:
        position = replayed_position(connections[REPLICA])
    except DatabaseError:
        replica_failed()
        return PRIMARY
    if position is None:
        # Not a standby replaying the primary's WAL (logical replication, a copy): how far it
        # is behind cannot be told, and it is read as it is.
        return REPLICA
    if latest is not None and position < latest:
        return PRIMARY
    reads.position = position
    return REPLICA


def replayed_position(connection):
    """How far ``connection``'s server has replayed the primary's WAL (bytes), or None."""
    with connection.cursor() as cursor:
        cursor.execute(REPLAYED_SQL)
        (value,) = cursor.fetchone()
    return None if value is None else int(value)


def primary_position(connection):
    """How far ``connection``'s primary has written its WAL, as the position a standby
    reports once it has replayed all of it.

    The insert position is where the next record goes: just after a page's header when the
    last record ended at the end of a page, while a standby that replayed that record reports
    the page's start. Such a position is taken back to the page's start.
    """
    with connection.cursor() as cursor:
        cursor.execute(PRIMARY_POSITION_SQL)
        position, page_size, segment_size = (int(value) for value in cursor.fetchone())
    header = LONG_PAGE_HEADER if position % segment_size == LONG_PAGE_HEADER else SHORT_PAGE_HEADER
    if position % page_size == header:
        return position - header
    return position


def store():
    """The page cache's store: the one every process reads, for the pages to agree."""
    return caches[settings.UKIYO_PAGE_CACHE_ALIAS]


def latest_change():
    """How far the primary's WAL had come after the last change that made pages stale."""
    return store().get(LATEST_CHANGE)


def note_change(using=PRIMARY, restart=False):
    """Record how far the primary's WAL has come, after a commit that makes pages stale and
    before the pages are marked stale: from then on, readers read the primary until the
    replica has replayed that far. A failure is logged: the change is committed already.

    ``restart``: record the primary's position even below the one recorded, for a database
    restored from a backup, whose WAL stops short of where the old one had come
    (``manage.py clear_page_cache``); else its replica would never be read again.
    """
    if not configured():
        return
    try:
        position = primary_position(connections[using])
        _record_latest_change(position, restart)
    except Exception:
        logger.exception("Recording the primary's position after a change failed.")


def _record_latest_change(position, restart):
    # Two commits may record at once, the later one first: the value may only rise, so it is
    # read and set under a lock (cache.add: one holder, freed after 5 s if it dies).
    cache = store()
    locked = False
    deadline = time.monotonic() + 2
    while not (locked := cache.add(LATEST_CHANGE_LOCK, True, timeout=5)):
        if time.monotonic() > deadline:
            break  # a holder that died: its lock expires; the value is written anyway
        time.sleep(0.005)
    try:
        current = cache.get(LATEST_CHANGE)
        if restart or current is None or current < position:
            cache.set(LATEST_CHANGE, position, timeout=None)
    finally:
        if locked:
            cache.delete(LATEST_CHANGE_LOCK)


def reads_are_current():
    """Whether what the current request read may be kept for other readers (the page cache):
    true unless it read the replica and a change recorded since may be missing there."""
    reads = _reads.get()
    if reads is None or reads.chosen != REPLICA or reads.position is None:
        return True
    try:
        latest = latest_change()
    except Exception:
        return False
    return latest is None or reads.position >= latest


# ---------------------------------------------------------------------------
# A replica that fails
# ---------------------------------------------------------------------------


def replica_failed():
    """The replica could not be read: leave it alone for ``UKIYO_REPLICA_RETRY_SECONDS``."""
    global _replica_down_until
    connection = connections[REPLICA]
    with suppress(DatabaseError):  # already broken: Django forgets it either way
        connection.close()
    if time.monotonic() >= _replica_down_until:
        logger.warning(
            "The read replica cannot be read: reading the primary for %s s.",
            settings.UKIYO_REPLICA_RETRY_SECONDS,
        )
    _replica_down_until = time.monotonic() + settings.UKIYO_REPLICA_RETRY_SECONDS


def failed_on_replica(request, response, reads):
    """Whether ``response`` is an error that reading the replica caused, which the primary
    may answer instead: a GET or HEAD that read the replica, and a database error on it
    (the server went away, or cancelled a query that conflicted with its replay)."""
    if reads.chosen != REPLICA or response.status_code < 500:
        return False
    if request.method not in SAFE_METHODS:
        return False
    connection = connections[REPLICA]
    if not connection.errors_occurred:
        return False
    if connection.is_usable():
        connection.close()  # a query was cancelled; the server is fine
    else:
        replica_failed()
    return True
