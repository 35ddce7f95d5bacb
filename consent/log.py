"""The consent log: every choice a reader makes, kept server-side as proof of consent.

Written with one INSERT from the views that set the consent cookie, and never allowed to
break them: a choice that cannot be logged is still saved in the reader's cookie (and the
failure is logged for the operator).
"""

import ipaddress
import logging
import secrets

from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from core.clients import client_ip
from core.sharedcache import CacheUnavailable

from .cookie import OPTIONAL_CATEGORIES, consent_id_of, valid_consent_id
from .models import ConsentRecord

logger = logging.getLogger(__name__)

USER_AGENT_LENGTH = 200
# Networks rather than addresses: a /24 (IPv4) or /48 (IPv6) tells which provider and region,
# not which household; it is hashed with SECRET_KEY on top, so no address can be read back.
IPV4_PREFIX, IPV6_PREFIX = 24, 48
# Records one client address may add per hour: far more than readers behind one address make,
# few enough that a script posting choices in a loop cannot fill the database.
RECORDS_PER_ADDRESS_PER_HOUR = 300


def consent_id_for(request, choice):
    """The id to log ``choice`` under: its own, else the reader's cookie's, else a new one."""
    for candidate in (choice.consent_id, consent_id_of(request)):
        if valid_consent_id(candidate):
            return candidate
    return secrets.token_hex(16)


def address_hash(request):
    """A keyed hash of the client's network: equal for one network, useless without the key."""
    address = ipaddress.ip_address(client_ip(request))
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return salted_hmac("ukiyo.consent.address", str(network), algorithm="sha256").hexdigest()[:16]


def kind_of(granted):
    granted = set(granted)
    if granted >= set(OPTIONAL_CATEGORIES):
        return ConsentRecord.ACCEPT_ALL
    if not granted:
        return ConsentRecord.REJECT_ALL
    return ConsentRecord.CUSTOM


def within_limit(request):
    """Whether this client address may add a record now. While the shared cache is out of
    reach nothing is counted and every record is written: a lost proof of consent cannot be
    made up later, extra rows can be purged."""
    key = f"ukiyo:consent-log:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) <= RECORDS_PER_ADDRESS_PER_HOUR
    except ValueError:  # the hour ended between add() and incr()
        return True
    except CacheUnavailable:
        return True


def record(request, choice, site, source):
    """Log ``choice`` (which carries its consent id); None when it was not written."""
    if not within_limit(request):
        logger.warning("Consent choices from one address over the hourly limit: not logged.")
        return None
    try:
        return ConsentRecord.objects.create(
            consent_id=choice.consent_id,
            chosen_at=timezone.now(),
            site=site,
            policy_version=choice.version,
            choice=kind_of(choice.granted),
            granted=[c for c in OPTIONAL_CATEGORIES if c in choice.granted],
            source=source,
            language=(get_language() or "")[:10],
            address_hash=address_hash(request),
            user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_LENGTH],
        )
    except (DatabaseError, ValueError):
        logger.exception("A consent choice could not be logged; the reader's cookie holds it.")
        return None
