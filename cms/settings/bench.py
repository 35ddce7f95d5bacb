"""The HTTP benchmark (scripts/bench_http.py): production, plus a bare view to compare with.

Never deployed: it only adds ``/bench/bare/``, a view that answers a few bytes through the
whole middleware stack, so that the benchmark can state each page's cost as a fraction of
what the same server, settings and middleware manage without any page at all.
"""

from .production import *  # noqa: F403

ROOT_URLCONF = "cms.bench_urls"
