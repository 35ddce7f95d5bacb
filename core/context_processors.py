from django.utils.functional import SimpleLazyObject

from .chrome import site_chrome as request_chrome


def site_chrome(request):
    """``chrome``: the header and footer links of the current site, in the current language.

    Lazy, so that views that render no site chrome (the API, the admin) pay nothing.
    """
    return {"chrome": SimpleLazyObject(lambda: request_chrome(request))}
