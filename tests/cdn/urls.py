"""The site's URLs, and answers whose caching headers the tests choose, to try the VCL's rules.

``/ja/cdn-test/<kind>/`` (and ``/ja/cdn-test/<kind>/<any name>/``) answers any method with
JSON: a serial number (a new one each time the request reaches ukiyo, so a stored answer
shows as a repeated number), the names of the cookies and the query string ukiyo received.
``kind`` picks the headers (``ANSWERS``). The same answers are also where the VCL passes
whatever the answer says: outside a language prefix (``/cdn-test/...``) and under a reader's
own pages (``/ja/accounts/cdn-test/...``, ``/ja/cookie-settings/cdn-test/...``).
"""

import itertools

from django.http import JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from cms.urls import handler400, handler429, handler500
from cms.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler429", "handler500", "urlpatterns"]

ANSWERS = {
    # What reader pages will send once they are cached by ukiyo itself.
    "shared": {"Cache-Control": "public, max-age=60, s-maxage=300"},
    "shared-too": {"Cache-Control": "public, max-age=60, s-maxage=300"},
    # What reader pages send without it: nothing about caching.
    "silent": {},
    "private": {"Cache-Control": "private"},
    "no-store": {"Cache-Control": "no-store"},
    # The change feed's: stored by a browser, revalidated before every use.
    "no-cache": {"Cache-Control": "no-cache"},
    # A shareable answer that sets a cookie anyway.
    "shared-with-cookie": {"Cache-Control": "public, s-maxage=300"},
    # Fresh for a second, then served stale for 30 while a fresh copy is fetched.
    "short": {"Cache-Control": "public, s-maxage=1, stale-while-revalidate=30"},
}

serials = itertools.count(1)


@csrf_exempt
def answer(request, kind, name=None):
    response = JsonResponse(
        {
            "serial": next(serials),
            "cookies": sorted(request.COOKIES),
            "query": request.META.get("QUERY_STRING", ""),
        }
    )
    for name, value in ANSWERS[kind].items():
        response[name] = value
    if kind == "shared-with-cookie":
        response.set_cookie("ukiyo_test", "1")
    return response


urlpatterns = [
    re_path(
        rf"^(?:ja/|ja/accounts/|ja/cookie-settings/)?cdn-test/(?P<kind>{'|'.join(ANSWERS)})/"
        r"(?:(?P<name>[^/]+)/)?$",
        answer,
    ),
    *site_urlpatterns,
]
