import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import escape_leading_slashes
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as plain_bad_request
from django.views.defaults import server_error as html_server_error

from api.problems import is_v2, problem
from api.v3.errors import too_large_detail
from core.health import database_unavailable

logger = logging.getLogger(__name__)

UNAVAILABLE_DETAIL = "The service is unavailable for a moment. Try again after Retry-After seconds."
UNAVAILABLE_TEXT = "Service temporarily unavailable. Please try again in a moment.\n"


def server_error(request, template_name="500.html"):
    """A 500 for API clients is a problem, as every API error; for readers it is the site's
    error page.

    Django calls it while it handles the exception that no view or middleware answered, so
    the exception is the one being handled. When it says the database cannot be reached
    (it refuses connections, restarts, fails over), the request may well succeed in a
    moment: a 503 with ``Retry-After`` says so (``service_unavailable``).
    """
    if database_unavailable(sys.exception()):
        return service_unavailable(request)
    if request.path_info.startswith("/api/"):
        return problem(500, "Internal server error.", v2=is_v2(request))
    return html_server_error(request, template_name=template_name)


def service_unavailable(request):
    """503 with ``Retry-After``: problem JSON under ``/api/`` (v2's also with its
    ``message``), else a short page in the language of the path (or of the reader's
    cookie and browser), stored by no cache.

    The page is rendered without a request context: the chrome, the settings and the
    session all read the database. If even that fails, a line of plain text.
    """
    if request.path_info.startswith("/api/"):
        response = problem(503, UNAVAILABLE_DETAIL, v2=is_v2(request))
    else:
        response = unavailable_page(request)
    response["Retry-After"] = str(settings.UKIYO_DATABASE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def unavailable_page(request):
    language = translation.get_language_from_path(request.path_info) or translation.get_language()
    context = {"retry_url": escape_leading_slashes(request.get_full_path())}
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            content = loader.render_to_string("503.html", context)
    except Exception:
        logger.exception("The 503 page could not be rendered; answering in plain text")
        return HttpResponse(UNAVAILABLE_TEXT, status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse(content, status=503)


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


@requires_csrf_token
def bad_request(request, exception, template_name="413.html"):
    """A body larger than the site reads: the site's 413 page, in the reader's language.

    Reached when Django finds a form's fields too large (``DATA_UPLOAD_MAX_MEMORY_SIZE``) and
    from ``core.middleware.RequestBodyLimitMiddleware``, before the body is read. Nothing was
    saved; the page says so and leads back to the form. Any other bad request keeps Django's
    plain 400, and the API answers its own requests as problems (what went wrong is for the
    server's log: a host the site does not serve, a request Django found suspicious).
    """
    if request.path_info.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return problem(413, too_large_detail(), v2=is_v2(request))
        return problem(400, "Bad request.", v2=is_v2(request))
    if not isinstance(exception, RequestDataTooBig):
        return plain_bad_request(request, exception)
    context = {"form_url": escape_leading_slashes(request.get_full_path())}
    if request.path_info.startswith("/admin/"):
        context["upload_limits"] = {
            "documents": filesizeformat(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE),
            "images": filesizeformat(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE),
        }
    response = render(request, template_name, context, status=413)
    add_never_cache_headers(response)
    return response
