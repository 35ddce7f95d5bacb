"""A stand-in for the Cache-Control of reader pages, until ukiyo's page cache sends its own.

Issue 12's page cache gives anonymous reader pages ``public, max-age, s-maxage``; before it,
they say nothing about caching, and Varnish (rightly) stores nothing it is not told it may
share. This fills in the same header on Wagtail's pages that have none, so the round-trip
tests can store pages now; it leaves every answer that already has one alone (a logged-in
reader's ``private``, the page cache's own), and every other view (the tests' own answers in
``tests/cdn/urls.py``). Once the page cache sends its header this does nothing, and should be
removed (``conftest.backend``) so that the tests read the real one.
"""

from django.utils.cache import patch_cache_control


class SharedUnlessSaidOtherwise:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and getattr(request.resolver_match, "url_name", None) == "wagtail_serve"
            and response.status_code == 200
            and "Cache-Control" not in response
            and not response.cookies
        ):
            patch_cache_control(response, public=True, max_age=60, s_maxage=300)
        return response
