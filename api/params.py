"""Query parameters: every ukiyo endpoint refuses the ones it does not read.

Ignored, a typo such as ``?local=en`` would quietly answer every language; refused, the
caller learns at once (400, naming the parameter). Values no endpoint can use (a NUL
character, an offset past any database's integers, a search too long) and searches beyond the
rate limit are refused before any view runs (``query_problems``, ``search_refused``; applied to
every API view by ``api.views``).
"""

import re

from ninja.errors import HttpError

from core import searching


def unknown_parameters(query, known):
    """The query parameters an endpoint does not read, sorted."""
    return sorted(set(query) - set(known))


def unknown_parameters_message(unknown):
    return f"Unknown query parameter: {', '.join(unknown)}"


def refuse_unknown_parameters(request, known):
    """For django-ninja views (API v3): a 400 problem naming what the endpoint does not read."""
    if unknown := unknown_parameters(request.GET, known):
        raise HttpError(400, unknown_parameters_message(unknown))


# -- what no endpoint can use ---------------------------------------------------------------

# The largest offset a listing takes. A database skips an offset row by row: past ten thousand
# rows a page would cost more than a reader's page, and on a large archive far more. Deeper
# pages of articles are read by date (``published_before``, docs/api.md). The same bound as
# the article cards'.
MAX_OFFSET = 10_000
# The parameters that search: ``search`` (v2 and v3 pages, images, documents) and ``q`` (the
# v3 article cards and their autocomplete). Both share the search limits and rate.
SEARCH_PARAMETERS = ("search", "q")
_WHOLE_NUMBER = re.compile(r"^\s*[+-]?[0-9]+\s*$")


def query_problems(request, *, integer_parameters=()):
    """What no endpoint of either API can use in the query string, as ``(parameter,
    message)`` pairs: a NUL character anywhere (PostgreSQL refuses it in any text, SQLite's
    full-text syntax ends a string at it), an offset beyond ``MAX_OFFSET``, a search beyond
    the search limits (``core.searching``) or with an unknown operator, and a value that is not
    a whole number in one of ``integer_parameters``."""
    problems = []
    for name, values in request.GET.lists():
        if any("\x00" in text for text in (name, *values)):
            shown = name.replace("\x00", "\\x00")
            problems.append((shown, f"{shown} contains a NUL character (\\x00)."))
    if problems:
        return problems
    offset = request.GET.get("offset", "")
    if _WHOLE_NUMBER.match(offset) and int(offset) > MAX_OFFSET:
        problems.append(("offset", f"offset must be at most {MAX_OFFSET}."))
    for name in integer_parameters:
        value = request.GET.get(name)
        if value is not None and not _WHOLE_NUMBER.match(value):
            problems.append((name, f"{name} must be a whole number, not {value!r}."))
    for name in SEARCH_PARAMETERS:
        search = request.GET.get(name)
        if search and not searching.within_limits(search):
            problems.append((name, searching.limits_message(name, search)))
    operator = request.GET.get("search_operator")
    if operator is not None and operator.lower() not in ("and", "or"):
        problems.append(("search_operator", "search_operator must be 'and' or 'or'."))
    return problems


def search_refused(request):
    """The search rate limit this request exceeds (``core.searching.rate_limit``), or None.

    Only a request that searches (a non-empty ``search``, or ``q`` of the article cards) is
    counted; the titles suggested as a reader types (``/api/v3/articles/autocomplete/``) are
    not.
    """
    searches = any(request.GET.get(name, "").strip() for name in SEARCH_PARAMETERS)
    if request.method not in ("GET", "HEAD") or not searches or _is_autocomplete(request):
        return None
    limit = searching.rate_limit(request)
    if limit is None or limit.hit():
        return None
    return limit


def _is_autocomplete(request):
    """Search-as-you-type asks once per key: titles only, cheap, and not counted."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete_articles"


def too_many_searches_message(limit):
    return (
        f"Too many searches from this address: at most {limit.count} in {limit.seconds} "
        f"seconds. Try again in {limit.retry_after()} seconds."
    )
