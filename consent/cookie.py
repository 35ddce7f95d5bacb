"""The consent cookie: what a reader chose, readable by the server and by ``consent-mode.js``.

Format
------
One cookie, ``ukiyo_consent``, path ``/``, SameSite=Lax, Secure on https, kept for about six
months. Its value is a URL-encoded form with exactly these fields, in this order::

    v=3&t=1750560000&analytics=1&marketing=0&functional=0

- ``v``: the policy version the reader answered (a positive integer, ``ConsentSettings``);
- ``t``: when they chose, in seconds since the Unix epoch;
- one field per optional category, ``1`` (granted) or ``0`` (refused). Essential cookies are
  not in it: they cannot be refused;
- optionally, last, ``id``: the random consent id (32 lowercase hex digits) that the server's
  consent log (``ConsentRecord``) files this reader's choices under. The server adds it when
  it records a choice; the script keeps it when the reader chooses again. A cookie without
  it is read as usual.

Every field is ASCII digits, so nothing is ever percent-encoded. Both readers apply the same
strict rules: a missing, repeated or unknown field, or a value outside its grammar, makes the
whole cookie unreadable, which counts as "no choice yet". A choice made for an earlier policy
version counts as "no choice yet" too: the reader is asked again. A choice made for a later
version than the one a page carries is valid: a page served from a cache, older than the
reader's choice, must not ask again (so the policy version is only ever raised).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from django.conf import settings
from django.utils.translation import gettext_lazy as _

COOKIE_NAME = "ukiyo_consent"
# About six months: long enough not to ask every visit, short enough to ask again now and then.
COOKIE_MAX_AGE = 182 * 24 * 60 * 60
# A longer value was not written by us; not worth reading.
MAX_COOKIE_LENGTH = 200

ESSENTIAL = "essential"
# The categories a reader can grant or refuse, in the order they are shown and stored.
OPTIONAL_CATEGORIES = ("analytics", "marketing", "functional")
CATEGORY_LABELS = {
    ESSENTIAL: _("Essential cookies"),
    "analytics": _("Analytics cookies"),
    "marketing": _("Marketing cookies"),
    "functional": _("Functional cookies"),
}

FIELDS = ("v", "t", *OPTIONAL_CATEGORIES)
OPTIONAL_FIELDS = ("id",)
# The cookie names Python's cookie module can write (and so expire).
LEGAL_NAME = re.compile(r"[!#$%&'*+\-.^_`|~:0-9A-Za-z]+")
GRAMMAR = {
    "v": re.compile(r"[1-9][0-9]{0,8}"),
    "t": re.compile(r"[0-9]{1,11}"),
    **{category: re.compile(r"[01]") for category in OPTIONAL_CATEGORIES},
    "id": re.compile(r"[0-9a-f]{32}"),
}


def valid_consent_id(value):
    return isinstance(value, str) and GRAMMAR["id"].fullmatch(value) is not None


def essential_cookie_names():
    """The cookies the site needs to work: never refused, never deleted by a withdrawal."""
    return {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        COOKIE_NAME,
        # The login's known-device cookie (accounts.devices): security the reader asked for.
        "ukiyo_device",
    }


@dataclass(frozen=True)
class Choice:
    """A reader's answer: the policy version, when, the optional categories granted, and
    the consent id it is logged under (None before it is logged)."""

    version: int
    time: int
    granted: frozenset
    consent_id: str | None = None

    @classmethod
    def of(cls, version, granted, time=None, consent_id=None):
        if time is None:
            time = int(datetime.now(UTC).timestamp())
        return cls(version=version, time=time, granted=frozenset(granted), consent_id=consent_id)

    @property
    def chosen_at(self):
        return datetime.fromtimestamp(self.time, UTC)

    @property
    def refused(self):
        return frozenset(OPTIONAL_CATEGORIES) - self.granted

    def allows(self, category):
        return category == ESSENTIAL or category in self.granted

    def serialize(self):
        values = {"v": self.version, "t": self.time}
        values.update({c: int(c in self.granted) for c in OPTIONAL_CATEGORIES})
        value = "&".join(f"{name}={values[name]}" for name in FIELDS)
        return f"{value}&id={self.consent_id}" if self.consent_id else value


def parse(value):
    """The ``Choice`` stored in a cookie value, or None when it is not exactly our format."""
    if not value or len(value) > MAX_COOKIE_LENGTH:
        return None
    fields = {}
    pairs = value.split("&")
    for pair in pairs:
        name, equals, field_value = pair.partition("=")
        if not equals or name in fields or name not in GRAMMAR:
            return None
        if not GRAMMAR[name].fullmatch(field_value):
            return None
        fields[name] = field_value
    if any(name not in fields for name in FIELDS):
        return None
    if "id" in fields and pairs[-1] != f"id={fields['id']}":
        return None  # the id comes last, as both writers put it
    return Choice(
        version=int(fields["v"]),
        time=int(fields["t"]),
        granted=frozenset(c for c in OPTIONAL_CATEGORIES if fields[c] == "1"),
        consent_id=fields.get("id"),
    )


def consent_id_of(request):
    """The consent id of the reader's cookie, whatever the policy version it answered."""
    choice = parse(request.COOKIES.get(COOKIE_NAME))
    return choice.consent_id if choice else None


class Status(Enum):
    NONE = "none"  # no cookie: the reader has not chosen
    VALID = "valid"  # a readable choice for the current policy version (or a later one)
    INVALID = "invalid"  # a cookie we cannot read (damaged or tampered with)
    OUTDATED = "outdated"  # a choice made for an earlier policy version


@dataclass(frozen=True)
class State:
    """What the server knows of a reader's consent; ``choice`` only when ``VALID``."""

    status: Status
    choice: Choice | None = None

    def allows(self, category):
        if category == ESSENTIAL:
            return True
        return self.choice is not None and self.choice.allows(category)


def read(request, version):
    """The reader's consent for policy ``version``, from the request's cookie."""
    if COOKIE_NAME not in request.COOKIES:
        return State(Status.NONE)
    choice = parse(request.COOKIES[COOKIE_NAME])
    if choice is None:
        return State(Status.INVALID)
    if choice.version < version:
        return State(Status.OUTDATED)
    return State(Status.VALID, choice)


def store(response, request, choice):
    """Set the consent cookie on ``response``, readable by the page's script (not HttpOnly)."""
    response.set_cookie(
        COOKIE_NAME,
        "",
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=request.is_secure(),
        httponly=False,
        samesite="Lax",
    )
    # Python's cookie module would put the value in quotes because of "=" and "&", which are
    # valid cookie characters (RFC 6265) but not in its conservative set; the browser must
    # get the value exactly as the script writes it.
    value = choice.serialize()
    response.cookies[COOKIE_NAME].set(COOKIE_NAME, value, value)


def matches(name, patterns):
    """Whether cookie ``name`` is one of ``patterns`` (``_ga``) or starts with one (``_ga_*``)."""
    for pattern in patterns:
        if pattern.endswith("*"):
            if name.startswith(pattern[:-1]):
                return True
        elif name == pattern:
            return True
    return False


def delete_refused_cookies(response, request, patterns_by_category, choice):
    """Expire the cookies of the refused categories that the request carried.

    Only the host's own cookies on path ``/`` can be expired from here (one deletion per
    name); ``consent.js`` also tries the parent domains on the next page.
    """
    essential = essential_cookie_names()
    patterns = [
        pattern for category in choice.refused for pattern in patterns_by_category.get(category, ())
    ]
    deleted = []
    for name in sorted(request.COOKIES):
        # A name Python cannot write back (it came from the browser as it was) is left alone.
        if not LEGAL_NAME.fullmatch(name):
            continue
        if name not in essential and matches(name, patterns):
            response.delete_cookie(name, path="/", samesite="Lax")
            deleted.append(name)
    return deleted
