import json
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import cookie, log
from .forms import ConsentForm
from .models import ConsentRecord
from .site import SiteConsent

SAVED = _("Your cookie choice has been saved.")
NOT_SAVED = _(
    "Your choice could not be saved: the form arrived with values it does not accept. "
    "Nothing has changed; please choose again."
)


def safe_next(request, url):
    """``url`` when it is a page of this site to go back to, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def settings_url(next_url):
    url = reverse("cookie_settings")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@require_http_methods(["GET", "HEAD", "POST"])
def cookie_settings(request):
    """The Cookie Settings page: the reader's current choice, to change in one step.

    Works without JavaScript: the form posts here, and the answer sets the consent cookie,
    expires the refused categories' cookies the browser sent, and redirects back here.
    Private and never stored by caches: it shows this reader's choice and a CSRF token.
    """
    consent = SiteConsent.for_request(request)
    state = cookie.read(request, consent.policy_version)
    data = request.POST if request.method == "POST" else request.GET
    next_url = safe_next(request, data.get("next"))
    status = 200
    form_error = None

    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            choice = cookie.Choice.of(consent.policy_version, form.granted())
            choice = replace(choice, consent_id=log.consent_id_for(request, choice))
            log.record(request, choice, consent.site, ConsentRecord.SETTINGS_PAGE)
            response = redirect(settings_url(next_url))
            response.status_code = 303  # see the page again with GET
            cookie.store(response, request, choice)
            cookie.delete_refused_cookies(
                response, request, consent.settings.cookie_patterns(), choice
            )
            messages.success(request, SAVED)
            patch_cache_control(response, private=True, no_store=True)
            return response
        status, form_error = 400, NOT_SAVED

    categories = [
        {**category, "checked": state.allows(category["name"])} for category in consent.categories
    ]
    response = TemplateResponse(
        request,
        "consent/cookie_settings.html",
        {
            "consent": consent,
            "categories": categories,
            "state": state.status.value,
            "chosen_at": state.choice.chosen_at if state.choice else None,
            "form_error": form_error,
            "next_url": next_url,
            # The buttons' values, from the form that reads them.
            "actions": {
                "save": ConsentForm.SAVE,
                "accept": ConsentForm.ACCEPT,
                "reject": ConsentForm.REJECT,
            },
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def problem(status, detail):
    response = JsonResponse({"detail": detail}, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def same_origin(request):
    """Whether the browser says the request comes from a page of this site.

    Browsers send ``Origin`` with every POST made by fetch, and ``Sec-Fetch-Site``; a page
    of another site cannot hide them, nor send JSON here without a CORS preflight, which
    this view never grants. That is what protects this view instead of a CSRF token (the
    banner has none, so that pages stay the same for every visitor).
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return site == "same-origin"
    parts = urlsplit(origin)
    return parts.netloc == request.get_host() and parts.scheme == request.scheme


@csrf_exempt
@require_POST
def record_choice(request):
    """The banner's choice, set again by the server: ``{"choice": "<cookie value>"}``.

    consent.js writes the consent cookie itself at once, then posts the same value here.
    A cookie set by a response lives its full six months in every browser, whereas Safari
    keeps a cookie written by a script for seven days only: without this, Safari readers
    would be asked again every week. Answers 204 and sets the same cookie, expiring the
    refused categories' cookies the request carried. The choice is logged (``consent.log``)
    under the consent id of the cookie, which the answer's cookie carries from then on.
    """
    if not same_origin(request):
        return problem(403, "Only pages of this site may record a consent choice.")
    if request.content_type != "application/json":
        return problem(415, 'Send the choice as JSON: {"choice": "<cookie value>"}.')
    try:
        body = json.loads(request.body)
    except ValueError:
        return problem(400, "The body is not valid JSON.")
    value = body.get("choice") if isinstance(body, dict) else None
    choice = cookie.parse(value) if isinstance(value, str) else None
    if choice is None:
        return problem(400, "'choice' must be a consent cookie value (see consent/cookie.py).")
    consent = SiteConsent.for_request(request)
    if choice.version < consent.policy_version:
        return problem(
            409,
            f"The choice answers policy version {choice.version}, "
            f"the site's is {consent.policy_version}: reload the page.",
        )
    choice = replace(choice, consent_id=log.consent_id_for(request, choice))
    log.record(request, choice, consent.site, ConsentRecord.BANNER)
    response = HttpResponse(status=204)
    cookie.store(response, request, choice)
    cookie.delete_refused_cookies(response, request, consent.settings.cookie_patterns(), choice)
    patch_cache_control(response, private=True, no_store=True)
    return response
