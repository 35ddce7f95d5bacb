from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import escape_leading_slashes
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as html_server_error


def server_error(request, template_name="500.html"):
    """A 500 for API clients is JSON; for readers it is the site's error page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"message": "Internal server error."}, status=500)
    return html_server_error(request, template_name=template_name)


@requires_csrf_token
def csrf_failure(request, reason="", template_name="403_csrf.html"):
    """A form failed Django's CSRF check: the site's 403 page, in plain words.

    Readers meet it when a form stayed open too long (the token changed when they logged in
    or out elsewhere), when their browser refuses cookies, or when another site posted to us.
    ``reason`` is for developers and stays out of the page. Also used by the admin, so the
    page must render without a Wagtail page or a matching site.
    """
    context = {"form_url": escape_leading_slashes(request.get_full_path())}
    response = render(request, template_name, context, status=403)
    add_never_cache_headers(response)
    return response


def too_many_requests(request, template_name="429.html"):
    """A rate limit of allauth's pages (password resets, sign-ups...) was reached.

    Those limits all count per minute (``ACCOUNT_RATE_LIMITS``), hence ``Retry-After: 60``.
    Failed logins answer on the login page itself, with their own ``Retry-After``
    (``accounts.devices.login_view``).
    """
    response = render(request, template_name, status=429)
    response["Retry-After"] = "60"
    add_never_cache_headers(response)
    return response
