"""Time translating one article into every other language, then updating those translations.

Usage (after ``make demo`` has loaded the demo into the database in use):

    .venv/bin/python scripts/bench_translations.py [--rounds 3]

Each round copies a demo article under a fresh slug, then times, through the same code as the
admin's "Translate into every language" action (``translations.operations.PageTranslator``)
with the configured machine translator (offline unless DeepL or LibreTranslate is set):

1. submit: create the eight draft translations, machine-translating every segment;
2. update: change one paragraph of the source, publish it, update the eight translations.

The copy and its translations are deleted afterwards. Figures depend on the machine and the
database; compare runs made on the same one.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.models import Locale  # noqa: E402
from wagtail_localize.machine_translators import get_machine_translator  # noqa: E402

from news.models import ArticlePage  # noqa: E402
from translations.operations import PageTranslator  # noqa: E402


def timed(function):
    reset_queries()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
    return elapsed, len(queries.captured_queries)


def change_first_paragraph(page):
    body = page.body.raw_data
    for section in body:
        for block in section["value"]["content"]:
            if block["type"] == "paragraph":
                block["value"]["text"] = block["value"]["text"].replace(
                    "</p>", f" （訂正 {uuid.uuid4().hex[:6]}）</p>", 1
                )
                page.body = body
                page.save_revision().publish()
                return
    raise SystemExit("The article has no paragraph to change.")


def one_round(article, locales, translator):
    copy = article.copy(
        update_attrs={"slug": f"bench-{uuid.uuid4().hex[:8]}", "title": f"{article.title} (bench)"},
        keep_live=True,
    ).specific
    try:
        submit = timed(
            lambda: PageTranslator(locales, machine_translator=translator).translate_tree(copy)
        )
        copy = ArticlePage.objects.get(pk=copy.pk)
        change_first_paragraph(copy)
        update = timed(
            lambda: PageTranslator(locales, machine_translator=translator).translate_tree(copy)
        )
        return submit, update
    finally:
        for page in copy.get_translations(inclusive=True):
            page.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    article = ArticlePage.objects.live().filter(locale__language_code="ja").first()
    if article is None:
        raise SystemExit("No articles: run `make demo` (or manage.py load_demo) first.")
    locales = list(Locale.objects.exclude(pk=article.locale_id))
    translator = get_machine_translator()
    print(
        f"database: {connection.vendor}; article: {len(article.body)} sections; "
        f"{len(locales)} languages; machine translator: {translator.display_name}"
    )
    results = [one_round(article, locales, translator) for _ in range(args.rounds)]
    for label, index in (("submit into all languages", 0), ("update all translations", 1)):
        seconds = [result[index][0] for result in results]
        queries = [result[index][1] for result in results]
        spread = f"min {min(seconds):.2f}, max {max(seconds):.2f}"
        print(
            f"{label:28} median {statistics.median(seconds):6.2f} s ({spread}); "
            f"queries {statistics.median(queries):.0f}"
        )


if __name__ == "__main__":
    main()
