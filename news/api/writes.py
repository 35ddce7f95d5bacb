"""What a v3 write of an article must get right, beyond Wagtail's own block validation.

Taught to ``api.v3.bodies`` by ``news.apps``:

- A figure may be sent back as the API reads it out (``image`` an id, ``alt_text`` beside it).
- Source numbers are a list of whole numbers from 1 to ``MAX_SOURCE_NUMBER``: each wrong
  entry is named by its path.
- Every cited number must be in the reference list the page will have (``news.citations``,
  the rule the admin's form applies at each citing block, ``news.forms``). Checked here, with
  the path of each citation, because a PATCH narrows the form to the fields it sends: a PATCH
  of ``references`` alone has no body to report the error at, so it is named on
  ``references``.

Wagtail's form for API writes (the page type's own, ``news.forms.ArticlePageForm``) reports
errors by field; the checker reports them with their paths inside the StreamFields, before
the form runs, and runs Wagtail's block validation beside these rules so that one answer
names every mistake.

API messages are English, like Wagtail's.
"""

from api.v3 import bodies
from news.blocks import CitationsBlock, FigureBlock
from news.citations import MAX_SOURCE_NUMBER, beyond_references
from news.models import ArticlePage

CITED = "citations"  # what check_sources notes for check_citations: (loc, number)


def register():
    bodies.accept_input_shape(FigureBlock, figure_from_read_shape)
    bodies.check_leaf(CitationsBlock, check_sources)
    bodies.check_page(ArticlePage, check_citations)


def figure_from_read_shape(value):
    """Accept a figure as the API shows it: ``image`` an id, its alt text beside it.

    Wagtail stores ``{"image": {"image": <id>, "alt_text", "decorative"}, "caption", …}``;
    the read shape puts ``image`` (an id, or an object with ``id``), ``alt_text`` and
    ``decorative`` side by side, so a client can send back what it read.
    """
    if not isinstance(value, dict):
        return value
    image = value.get("image")
    if isinstance(image, dict) and "image" not in image and "id" in image:
        image = image["id"]
    if isinstance(image, dict) or (image is None and "image" not in value):
        return value
    figure = {k: v for k, v in value.items() if k not in ("alt_text", "decorative")}
    figure["image"] = {
        "image": image,
        "alt_text": value.get("alt_text", ""),
        "decorative": value.get("decorative", False),
    }
    return figure


def check_sources(checker, value, loc):
    if not isinstance(value, list):
        checker.report(loc, f"Expected a list of source numbers, got {bodies.type_name(value)}.")
        return None
    for j, number in enumerate(value):
        if (
            isinstance(number, bool)
            or not isinstance(number, int)
            or not 1 <= number <= MAX_SOURCE_NUMBER
        ):
            checker.report(
                (*loc, j),
                f"Expected a source number (1 to {MAX_SOURCE_NUMBER}), got {shown(number)}.",
            )
        else:
            checker.noted[CITED].append(((*loc, j), number))
    return value


def check_citations(checker, payload):
    if "references" in checker.normalized:
        count = len(checker.normalized["references"] or [])
    else:
        count = len(checker.stored_raw("references"))
    if "body" in payload:
        cited = checker.noted[CITED]
        missing = set(beyond_references([number for _loc, number in cited], count))
        for loc, number in cited:
            if number in missing:
                checker.report(
                    loc,
                    f"Source {number} is not in the reference list ({sources(count)}).",
                    "unknown_source",
                )
    elif "references" in payload and checker.page is not None:
        highest = max(beyond_references(checker.page.cited_numbers(), count), default=0)
        if highest:
            checker.report(
                ("references",),
                f"The body cites source {highest}, but the reference list would have "
                f"{sources(count)}.",
                "unknown_source",
            )


def shown(value):
    """``value`` for a message, a number of any size included (``repr`` refuses huge ints)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a number too large"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


def sources(count):
    return f"{count} source" if count == 1 else f"{count} sources"
