"""``/api/``: both APIs, each view wrapped in what every API view shares (``api.views``).

Mounted outside ``i18n_patterns``: an API path never carries a language prefix; the language
of the content is chosen with ``?locale=``. Read when the URLconf is first loaded, after every
app's ``ready()`` has registered its endpoints and routers.
"""

import functools

from django.urls import path, re_path
from wagtail.api.v3.urls import api as api_v3
from wagtail.snippets.api.v3.router import router as snippet_router
from wagtail.utils.urlpatterns import decorate_urlpatterns

from .rendering import use_compact_json
from .v2.router import router as v2_router
from .v3 import routers, snippets
from .v3.transactions import write_with_its_answer
from .views import api_view, not_found, v2_checked_query, v3_checked_query

# Wagtail's snippet router is made in wagtail.snippets' ready(), after this app's.
snippets.extend(snippet_router)
routers.mount(api_v3)
# Every v3 write commits with its answer (read by each router when the URLs below are built).
api_v3.add_decorator(write_with_its_answer, mode="view")
use_compact_json(api_v3)

urlpatterns = [
    *decorate_urlpatterns(
        [path("v2/", v2_router.urls)],
        functools.partial(api_view, checked_query=v2_checked_query),
    ),
    *decorate_urlpatterns(
        [path("v3/", api_v3.urls)],
        functools.partial(api_view, checked_query=v3_checked_query),
    ),
    # Only paths ending in "/": without it, CommonMiddleware first adds the slash, so that
    # /api/v2/pages redirects to /api/v2/pages/ instead of answering 404.
    *decorate_urlpatterns([re_path(r"^(?:.*/)?$", not_found)], api_view),
]
