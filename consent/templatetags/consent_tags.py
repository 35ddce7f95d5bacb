from django import template

from consent.site import SiteConsent

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_site(context):
    """The request's ``SiteConsent`` (built once per request), or None without a request."""
    request = context.get("request")
    return SiteConsent.for_request(request) if request is not None else None
