"""How the reader pages and the APIs hold up as the archive grows: p50 at each size, side by side.

Usage, on a throwaway PostgreSQL cluster (the script migrates, loads the demo and seeds):

    scripts/with-postgres .venv/bin/python scripts/bench_scale.py [--sizes 1000,100000]

For each size it adds seeded article pages (``manage.py seed_archive``) until the archive holds
that many, then renders each URL through Django's test client (in-process, no web server, no
page cache: the application's own cost) and takes the median time. It prints one row per URL
with the p50 at each size and the ratio of the last to the first; ``--explain`` also prints
the plan PostgreSQL chose for each listing's main query at the largest size. Numbers depend on
the machine and on what else runs on it: compare runs made on the same quiet machine.

On a machine others share, measure archives that already exist side by side instead: each
database (migrated, with the demo and seeded to its size) gets a process of its own, and the
URLs are measured in turns, one size after the other, ``--rounds`` times; the table gives the
median of the rounds' p50s, so a burst of load elsewhere falls on both sizes alike:

    scripts/bench_scale.py --databases postgres://.../small,postgres://.../large --rounds 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
# One client address sends every request: the per-address search limit would answer most of
# the searches with 429.
os.environ.setdefault("SEARCH_RATE_LIMIT", "off")
# Uncached: the application's own cost, not the page cache's nor the API's kept answers'.
os.environ.setdefault("PAGE_CACHE", "off")
os.environ.setdefault("API_KEPT_ANSWERS", "off")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from changes.models import ContentChange  # noqa: E402
from news.models import ArticleIndexPage, ArticlePage  # noqa: E402
from news.pagination import cursor  # noqa: E402


def seeded_count():
    return ArticlePage.objects.filter(slug__startswith="archive-").count()


def grow_to(size):
    missing = size - seeded_count()
    if missing > 0:
        start = time.monotonic()
        call_command("seed_archive", articles=missing, seed=size, verbosity=0, stdout=StringIO())
        print(f"seeded {missing} article pages in {time.monotonic() - start:.0f} s", flush=True)
    with connection.cursor() as cursor_:
        if connection.vendor == "postgresql":
            cursor_.execute("ANALYZE")


def urls():
    """The URLs measured, chosen in the archive as it is now (so the deep page is deep)."""
    index = ArticleIndexPage.objects.get(locale__language_code="ja")
    articles = ArticlePage.objects.for_listing(index.locale).child_of(index)
    total = articles.count()
    # An article from the middle of the archive, and a page of the list that starts there.
    middle = articles[total // 2]
    changes = ContentChange.objects.count()
    middle_change = ContentChange.objects.order_by("id").values_list("id", flat=True)[changes // 2]
    return {
        "article page": middle.url,
        "All Articles, page 1": index.url,
        "All Articles, page 20": f"{index.url}?page=20",
        "All Articles, middle of the archive": f"{index.url}?before={cursor(middle)}",
        "category page 1": f"{index.url}?category=space",
        "search, a name (JAXA)": "/ja/search/?q=JAXA",
        "search, two words (月面 着陸)": "/ja/search/?q=%E6%9C%88%E9%9D%A2+%E7%9D%80%E9%99%B8",
        "search, English stems (landing)": "/en/search/?q=landing",
        # Past the recent matches at 100,000 (the last page at 1,000), and by date: every
        # match is read.
        "search, page 30 (JAXA)": "/ja/search/?q=JAXA&page=30",
        "search by date (JAXA)": "/ja/search/?q=JAXA&sort=date",
        "v2 search (JAXA)": "/api/v2/pages/?search=JAXA&locale=ja",
        "v3 cards, q=JAXA": "/api/v3/articles/?locale=ja&q=JAXA",
        "v3 autocomplete (月面)": "/api/v3/articles/autocomplete/?locale=ja&q=%E6%9C%88%E9%9D%A2",
        "v3 cards": "/api/v3/articles/?locale=ja",
        "v3 cards, offset 200": "/api/v3/articles/?locale=ja&offset=200",
        "v2 listing": "/api/v2/pages/?type=news.ArticlePage&locale=ja",
        "change feed, first page": "/api/v2/changes/",
        "change feed, middle": f"/api/v2/changes/?updated_since={middle_change}",
    }


def p50(client, url, requests):
    client.get(url)  # warm: renditions, caches
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings) * 1000, len(queries.captured_queries)


def explain(client, url):
    """The plan of the slowest query the URL runs."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    if not queries.captured_queries:
        return None, ["(no query: served from kept parts)"]
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]))
    with connection.cursor() as cursor_:
        cursor_.execute("EXPLAIN ANALYZE " + slowest["sql"])
        return slowest["sql"], [row[0] for row in cursor_.fetchall()]


def serve(requests):
    """Measure the URL each line of stdin names, in this process's database (``--databases``)."""
    client = Client(HTTP_HOST="localhost")
    known = urls()
    print(json.dumps({"size": seeded_count(), "names": list(known)}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        ms, queries = p50(client, known[name], requests)
        print(json.dumps({"ms": ms, "queries": queries}), flush=True)


def side_by_side(databases, rounds, requests):
    """``{name: {size: (median ms, queries)}}`` and the sizes, measured in turns."""
    workers = []
    for url in databases:
        env = {**os.environ, "DATABASE_URL": url}
        worker = subprocess.Popen(  # noqa: S603 (this script, measuring another database)
            [sys.executable, __file__, "--serve", "--requests", str(requests)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        hello = json.loads(worker.stdout.readline())
        workers.append((hello["size"], worker))
    timings = {}
    for _ in range(rounds):
        for name in hello["names"]:
            for size, worker in workers:
                worker.stdin.write(name + "\n")
                worker.stdin.flush()
                answer = json.loads(worker.stdout.readline())
                timings.setdefault(name, {}).setdefault(size, []).append(answer)
    for _, worker in workers:
        worker.stdin.close()
        worker.wait()
    results = {
        name: {
            size: (statistics.median(a["ms"] for a in answers), answers[-1]["queries"])
            for size, answers in by_size.items()
        }
        for name, by_size in timings.items()
    }
    return results, [size for size, _ in workers]


def table(results, sizes):
    header = f"{'':38}" + "".join(f"{f'{size:,} p50 ms':>16}{'queries':>8}" for size in sizes)
    print(header + f"{'ratio':>8}")
    for name, by_size in results.items():
        row = f"{name:38}"
        for size in sizes:
            ms, queries = by_size[size]
            row += f"{ms:>16.1f}{queries:>8}"
        ratio = by_size[sizes[-1]][0] / by_size[sizes[0]][0]
        print(row + f"{ratio:>8.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000", help="archive sizes, in article pages")
    parser.add_argument("--requests", type=int, default=30, help="requests per URL and size")
    parser.add_argument("--explain", action="store_true", help="print query plans at the end")
    parser.add_argument(
        "--databases", help="comma-separated URLs of archives already seeded: measure in turns"
    )
    parser.add_argument("--rounds", type=int, default=5, help="turns with --databases")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.requests)
        return
    if args.databases:
        results, sizes = side_by_side(args.databases.split(","), args.rounds, args.requests)
        print(f"\nmedian of {args.rounds} rounds' p50 of {args.requests} requests, in-process")
        table(results, sizes)
        return
    sizes = [int(size) for size in args.sizes.split(",")]

    call_command("migrate", verbosity=0)
    if not ArticleIndexPage.objects.exists():
        call_command("load_demo", no_admin=True, stdout=StringIO())
    client = Client(HTTP_HOST="localhost")
    results = {}
    for size in sizes:
        grow_to(size)
        for name, url in urls().items():
            results.setdefault(name, {})[size] = p50(client, url, args.requests)
        print(f"measured at {size} article pages", flush=True)

    print(f"\ndatabase: {connection.vendor}; p50 of {args.requests} requests, in-process")
    table(results, sizes)

    if args.explain and connection.vendor == "postgresql":
        for name, url in urls().items():
            sql, plan = explain(client, url)
            print(f"\n== {name}: {url}\n{sql}\n" + "\n".join(plan))


if __name__ == "__main__":
    main()
