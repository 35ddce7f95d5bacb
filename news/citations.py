"""Citations, from an article's reference list to what readers and frontends see.

An article numbers its references in order (``ArticlePage.numbered_references``); a paragraph,
list item or quote cites them by number (``CitationsBlock``). From those two facts come
everything else, here: which numbers name no reference (a mistake the admin and the API both
refuse), the chip a reader sees (the first source's domain, ``+N`` for the others) and the
citations a frontend gets in the API.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext, pgettext

# The longest reference list an article may cite into; a larger number is a typing mistake
# (and would not fit the API's integers).
MAX_SOURCE_NUMBER = 9999

# How many references the article being validated has, while a form validates it (see
# ``reference_list_of``); None elsewhere.
_reference_count = contextvars.ContextVar("ukiyo_reference_count", default=None)


def beyond_references(numbers, reference_count):
    """The cited ``numbers`` that name no reference of a list of ``reference_count``."""
    return [number for number in numbers if number > reference_count]


@contextmanager
def reference_list_of(count):
    """While validating an article whose reference list has ``count`` references.

    The body and the references are two fields of one form: the form counts the references
    it was sent and validates the body inside this block, so that each paragraph, list item
    or quote checks its own sources (``news.blocks.CitationsBlock``) and its error is shown
    at that block, with every other error of the form.
    """
    token = _reference_count.set(count)
    try:
        yield
    finally:
        _reference_count.reset(token)


def reference_count():
    """The reference count of the article being validated by a form, or None."""
    return _reference_count.get()


def missing_sources_message(missing, count):
    """What an editor reads at a block citing ``missing`` numbers of a list of ``count``."""
    numbers = pgettext("list separator", ", ").join(str(number) for number in missing)
    first = ngettext(
        "Source %(numbers)s is not in the reference list.",
        "Sources %(numbers)s are not in the reference list.",
        len(missing),
    ) % {"numbers": numbers}
    if count == 0:
        second = gettext("The reference list is empty: add the sources under References.")
    else:
        second = ngettext("It has %(count)d source.", "It has %(count)d sources.", count) % {
            "count": count
        }
    return f"{first} {second}"


def cited(page, numbers):
    """``(number, reference)`` for each of ``numbers`` that ``page`` can resolve, in the cited
    order; a page that has no references (not an article) resolves none."""
    if not numbers or page is None or not hasattr(page, "citations"):
        return []
    return page.citations(numbers)


@dataclass(frozen=True)
class Chip:
    """What one citation chip shows: ``first`` and ``domain`` are the first cited source,
    ``more`` how many others; ``numbers`` and ``domains`` list them all (for the accessible
    label and the tooltip), joined the way the reader's language writes lists."""

    first: int
    domain: str
    more: int
    count: int
    numbers: str
    domains: str


def chip(cites):
    """The chip for ``(number, reference)`` pairs, or None when nothing is cited."""
    if not cites:
        return None
    # "1, 3" in English, "1、3" in Japanese.
    separator = pgettext("list separator", ", ")
    first_number, first_reference = cites[0]
    return Chip(
        first=first_number,
        domain=first_reference.domain,
        more=len(cites) - 1,
        count=len(cites),
        numbers=separator.join(str(number) for number, _ in cites),
        domains=separator.join(reference.domain for _, reference in cites),
    )


def citations_json(page, numbers):
    """The cited references as the API gives them (``news.schemas.Citation``).

    A number without a reference (a draft in progress) is left out rather than failing the
    whole page.
    """
    return [
        {
            "number": number,
            "title": reference.get("title") or "",
            "url": reference.get("url") or "",
            "domain": reference.domain,
        }
        for number, reference in cited(page, numbers)
    ]
