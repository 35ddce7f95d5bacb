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
- The category and the authors (``ArticlePage.api_write_fields``) are named by id or slug,
  or sent back as read. An article links the versions in its own language, as the admin's
  translations do: an id of another language's version stands for the one in the article's
  language, and one that has none is refused (translate it first), as is a slug unknown in
  that language. The date readers see must carry its offset from UTC: a date-time without
  one would be read in the server's time zone, silently hours off for an importer that
  meant UTC.

Wagtail's form for API writes (the page type's own, ``news.forms.ArticlePageForm``) reports
errors by field; the checker reports them with their paths inside the StreamFields, before
the form runs, and runs Wagtail's block validation beside these rules so that one answer
names every mistake.

API messages are English, like Wagtail's.
"""

import datetime

from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from wagtail.models import Locale

from api.v3 import bodies
from news.blocks import CitationsBlock, FigureBlock
from news.citations import MAX_SOURCE_NUMBER, beyond_references
from news.models import MAX_AUTHORS, ArticlePage, Author, Category

CITED = "citations"  # what check_sources notes for check_citations: (loc, number)
# The largest id a database key holds (a bigger one names nothing).
MAX_ID = 2**63 - 1
DATE_TIME_EXAMPLE = "2025-06-22T14:15:00+09:00"


def register():
    bodies.accept_input_shape(FigureBlock, figure_from_read_shape)
    bodies.check_leaf(CitationsBlock, check_sources)
    bodies.check_page(ArticlePage, check_citations)
    bodies.check_fields(ArticlePage, check_publication)


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


# -- category, authors, the date readers see -------------------------------------------------


def check_publication(checker, payload):
    if "display_date" in payload:
        check_display_date(checker, payload["display_date"])
    if checker.locale_id is None:
        return  # a new page without a parent: the view answers 404
    if "category" in payload:
        check_category(checker, payload["category"])
    if "article_authors" in payload:
        check_authors(checker, payload["article_authors"])


def check_category(checker, value):
    loc = ("category",)
    if value is None:
        checker.values["category"] = None
        return
    named, problem = reference(value, "category")
    if problem:
        checker.report(loc, problem)
        return
    found = in_language(Category, [named], checker.locale_id)
    category, problem = found[named]
    if problem:
        checker.report(loc, problem, "does_not_exist")
    else:
        checker.values["category"] = category.pk


def check_authors(checker, value):
    loc = ("authors",)
    if not isinstance(value, list):
        got = bodies.type_name(value)
        checker.report(loc, f"Expected a list of authors (ids or slugs; [] for none), got {got}.")
        return
    if len(value) > MAX_AUTHORS:
        checker.report(loc, f"An article has at most {MAX_AUTHORS} authors; got {len(value)}.")
        return
    named = []
    for i, item in enumerate(value):
        one, problem = reference(item, "author")
        if problem:
            checker.report((*loc, i), problem)
        named.append(one)
    found = in_language(Author, [one for one in named if one is not None], checker.locale_id)
    # An author kept in the list keeps their row (and the translations that follow it).
    rows = {}
    if checker.page is not None:
        for row in checker.page.article_authors.all():
            rows.setdefault(row.author_id, row.pk)
    authors, listed_at = [], {}
    for i, one in enumerate(named):
        if one is None:
            continue
        author, problem = found[one]
        if problem:
            checker.report((*loc, i), problem, "does_not_exist")
        elif author.pk in listed_at:
            checker.report(
                (*loc, i),
                f"Author {author.pk} ({author.slug}) is already in the list, at "
                f"{listed_at[author.pk]}.",
                "duplicate",
            )
        else:
            listed_at[author.pk] = i
            authors.append({"id": rows.get(author.pk), "author": author.pk})
    checker.values["article_authors"] = authors


def reference(value, kind):
    """The id or slug that ``value`` names a ``kind`` by, and None; or None and why not."""
    if isinstance(value, dict):
        if value.get("id") is not None:
            value = value["id"]
        elif value.get("slug") is not None:
            value = value["slug"]
        else:
            return None, f"Expected {a(kind)} by id or slug, got an object with neither."
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None, f"Expected {a(kind)}'s id or slug, got {bodies.type_name(value)}."
    if isinstance(value, str) and ("\x00" in value or not value.strip()):
        return None, f"Not {a(kind)}'s slug: {shown(value)}."
    return value, None


def a(kind):
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def in_language(model, named, locale_id):
    """``{id or slug: (object, None) or (None, why not)}``: each named snippet's version in the
    language ``locale_id``, in at most three queries however many are named."""
    kind = model._meta.verbose_name
    ids = {one for one in named if isinstance(one, int) and 1 <= one <= MAX_ID}
    slugs = {one for one in named if isinstance(one, str)}
    by_id = {obj.pk: obj for obj in model.objects.filter(pk__in=ids)} if ids else {}
    elsewhere = {obj.translation_key for obj in by_id.values() if obj.locale_id != locale_id}
    translations = {}
    if elsewhere:
        translations = {
            obj.translation_key: obj
            for obj in model.objects.filter(translation_key__in=elsewhere, locale_id=locale_id)
        }
    by_slug = {}
    if slugs:
        in_it = model.objects.filter(slug__in=slugs, locale_id=locale_id)
        by_slug = {obj.slug: obj for obj in in_it}
    found = {}
    for one in named:
        if isinstance(one, str):
            obj = by_slug.get(one)
            if obj is None:
                found[one] = (None, f"No {kind} with slug {shown(one)} in {language(locale_id)}.")
            else:
                found[one] = (obj, None)
            continue
        obj = by_id.get(one)
        if obj is None:
            found[one] = (None, f"No {kind} with id {shown(one)}.")
        elif obj.locale_id == locale_id:
            found[one] = (obj, None)
        elif obj.translation_key in translations:
            found[one] = (translations[obj.translation_key], None)
        else:
            found[one] = (
                None,
                f"{kind.capitalize()} {one} ({obj.slug}) has no version in "
                f"{language(locale_id)}, the article's language: translate it first.",
            )
    return found


def language(locale_id):
    """The English name of a language, for a message (API messages are English)."""
    code = Locale.objects.get(pk=locale_id).language_code
    try:
        return translation.get_language_info(code)["name"]
    except KeyError:
        return code


def check_display_date(checker, value):
    loc = ("display_date",)
    expected = f"a date-time with its offset from UTC, such as {DATE_TIME_EXAMPLE}"
    if not isinstance(value, str):
        checker.report(loc, f"Expected {expected}; got {bodies.type_name(value)}.")
        return
    try:
        moment = parse_datetime(value)
    except ValueError:  # well formed, but no such moment (February 30th)
        moment = None
    if moment is None:
        checker.report(loc, f"Not a date-time: {shown(value)}. Expected {expected}.")
        return
    if timezone.is_naive(moment):
        checker.report(
            loc,
            f"{shown(value)} has no offset from UTC: add it ({DATE_TIME_EXAMPLE}, or Z for UTC).",
        )
        return
    try:
        # In UTC, as it is stored: the write's answer shows it as the next read does.
        moment = moment.astimezone(datetime.UTC)
    except OverflowError:  # the first or last day of the calendar, moved out of it
        checker.report(loc, f"{shown(value)} is out of range.")
        return
    checker.values["display_date"] = moment
