"""Time the reader pages and the API in-process, with their SQL query counts.

Usage (after ``make demo`` has loaded the demo into the database in use):

    .venv/bin/python scripts/bench_pages.py [--requests 200]

It renders each URL through Django's test client (no network, no web server), so the figures
are the application's own cost: routing, queries, template rendering, JSON serialisation.
The article and its v3 detail are measured twice: as a page-cache miss reads it, or an API
answer is built (its kept parts from the cache: ``{% kept %}``, ``api.parts``), and with its
kept parts made stale before each request (what its first reader after a change of the
article costs). Numbers depend on the machine; compare runs made on the same one.
"""

import argparse
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
# One client address sends every request: the per-address search limit would answer most of
# the search page's requests with 429 and time those instead.
os.environ.setdefault("SEARCH_RATE_LIMIT", "off")
# The API's answers built for each request, not its kept answers (api.kept).
os.environ.setdefault("API_KEPT_ANSWERS", "off")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from core import pagecache  # noqa: E402
from news.models import ArticlePage  # noqa: E402


def urls():
    article = (
        ArticlePage.objects.live()
        .filter(locale__language_code="ja", category__isnull=False)
        .select_related("category")
        .first()
    )
    if article is None:
        raise SystemExit("No articles: run `make demo` (or manage.py load_demo) first.")
    # The article again, with its kept parts (core.pagecache.fragment) made stale before each
    # request: what its first reader after a change of the article costs.
    stale = partial(pagecache.bump, [pagecache.page_tag(article.translation_key)])
    return [
        "/ja/",
        "/ja/articles/",
        f"/ja/articles/?category={article.category.slug}",
        article.url,
        (article.url, "(kept parts stale)", stale),
        "/ja/search/?q=JAXA",
        "/api/v2/pages/?type=news.ArticlePage&locale=ja&fields=*",
        f"/api/v2/pages/{article.pk}/",
        f"/api/v3/pages/{article.pk}/",
        # Its kept parts (api.parts) stale: the first answer built after the article changed.
        (f"/api/v3/pages/{article.pk}/", "(kept parts stale)", stale),
        "/api/v3/articles/?locale=ja",
        "/api/v3/articles/?locale=fr&fallback=en,ja",
        "/api/v2/changes/",
    ]


def measure(client, url, requests, before=lambda: None):
    client.get(url)  # warm: renditions, caches
    # The query log holds 9,000 entries at most: a full one would count nothing.
    connection.queries_log.clear()
    before()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Read now: captured_queries slices the connection's query log when it is read, and every
    # request below empties that log when it starts.
    query_count = len(queries.captured_queries)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(requests):
        before()
        start = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - start)
    timings.sort()
    return {
        "queries": query_count,
        "mean_ms": statistics.mean(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95) - 1] * 1000,
        "per_second": len(timings) / sum(timings),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    client = Client(HTTP_HOST="localhost")
    vendor = connection.vendor
    print(f"database: {vendor}; {args.requests} requests per URL, one process, no web server")
    print(f"{'URL':60} {'queries':>7} {'mean ms':>8} {'p95 ms':>8} {'req/s':>7}")
    for url in urls():
        url, label, before = url if isinstance(url, tuple) else (url, "", lambda: None)
        result = measure(client, url, args.requests, before)
        name = f"{url[: 59 - len(label)]} {label}" if label else url[:60]
        print(
            f"{name:60} {result['queries']:>7} {result['mean_ms']:>8.1f} "
            f"{result['p95_ms']:>8.1f} {result['per_second']:>7.0f}"
        )


if __name__ == "__main__":
    main()
