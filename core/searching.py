"""What every search shares: the reader's search page, ``?search=`` in both APIs, and the
search backend that also answers the admin's searches.

- **Size.** A query has at most ``UKIYO_SEARCH_MAX_TERMS`` words and
  ``UKIYO_SEARCH_MAX_LENGTH`` characters: the backend's work grows with every word, and a
  reader never needs more. The API refuses a longer query (400 naming the limits); the
  reader's page searches its beginning and says so; the backend itself cuts whatever reaches
  it (``search.backends``), so no caller can send it thousands of words.
- **Rate.** Searches one client address may run: ``UKIYO_SEARCH_RATE_LIMIT`` (count/seconds)
  on the reader's page and in both APIs together, counted in the shared cache.
"""

import re

from django.conf import settings

from .clients import client_ip
from .ratelimit import FixedWindow, parse_rate

# Control characters: NUL ends a string in SQLite's full-text syntax and PostgreSQL refuses
# it in any text; none of them is ever part of what a reader looks for.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def max_terms():
    return settings.UKIYO_SEARCH_MAX_TERMS


def max_length():
    return settings.UKIYO_SEARCH_MAX_LENGTH


def within_limits(query):
    return len(query) <= max_length() and len(query.split()) <= max_terms()


def shorten(query):
    """The beginning of ``query`` that the limits allow, its words separated by one space."""
    return " ".join(query[: max_length()].split()[: max_terms()])


def limits_message(parameter, query):
    """Why ``query`` is refused, for an API client."""
    return (
        f"{parameter} takes at most {max_terms()} words and {max_length()} characters; "
        f"this one has {len(query.split())} words and {len(query)} characters."
    )


def without_control_characters(text):
    return CONTROL_CHARACTERS.sub(" ", text)


def rate_limit(request):
    """The search rate limit of the client that sent ``request``, or None without one."""
    rate = parse_rate(settings.UKIYO_SEARCH_RATE_LIMIT, "UKIYO_SEARCH_RATE_LIMIT")
    if rate is None:
        return None
    return FixedWindow("search", client_ip(request), *rate)
