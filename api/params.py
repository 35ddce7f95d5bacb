"""Query parameters: every ukiyo endpoint refuses the ones it does not read.

Ignored, a typo such as ``?local=en`` would quietly answer every language; refused, the
caller learns at once (400, naming the parameter).
"""

from ninja.errors import HttpError


def unknown_parameters(query, known):
    """The query parameters an endpoint does not read, sorted."""
    return sorted(set(query) - set(known))


def unknown_parameters_message(unknown):
    return f"Unknown query parameter: {', '.join(unknown)}"


def refuse_unknown_parameters(request, known):
    """For django-ninja views (API v3): a 400 problem naming what the endpoint does not read."""
    if unknown := unknown_parameters(request.GET, known):
        raise HttpError(400, unknown_parameters_message(unknown))
