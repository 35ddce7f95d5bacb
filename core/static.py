"""Static files collected after the server started, served all the same.

WhiteNoise lists the files of ``STATIC_ROOT`` once, when a server starts. During a rolling
release (docs/deployment.md, "A release without downtime"), ``collectstatic`` adds the new
release's files to each machine's ``STATIC_ROOT`` before its servers restart; a page of the
new release, served by a server already restarted, then has its new stylesheet asked of a
server that has not (Varnish or a load balancer sends each request where it likes), and that
server answered ``404``: the page unstyled until a reload.

WhiteNoise hands a path it did not list on to Django; this view finds the file on disk, where
``collectstatic`` wrote it, and answers as WhiteNoise would: a name with its content's hash
(``ukiyo.3f2a9c1b7d4e.css``, ``ManifestStaticFilesStorage``) cached for good, any other for
``WHITENOISE_MAX_AGE``. Only ``GET`` and ``HEAD``, only files inside ``STATIC_ROOT`` named
the plain way (``core.media.is_plain_path``), never a folder's listing.
"""

import re

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe
from whitenoise.base import WhiteNoise

from .media import is_plain_path, serve_file

# A name ManifestStaticFilesStorage gave: the content's hash (12 hex digits) before the suffix.
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[^./]+$")
# WhiteNoise's default lifetime of a file whose name does not change with its content.
DEFAULT_MAX_AGE = 60


@require_safe
def serve_collected(request, path):
    root = settings.STATIC_ROOT
    if not root or not is_plain_path(path):
        raise Http404("No such static file.")
    response = serve_file(request, path, root)
    if HASHED_NAME.search(path):
        response["Cache-Control"] = f"max-age={WhiteNoise.FOREVER}, public, immutable"
    else:
        max_age = getattr(settings, "WHITENOISE_MAX_AGE", DEFAULT_MAX_AGE)
        response["Cache-Control"] = f"max-age={max_age}, public"
    response["Access-Control-Allow-Origin"] = "*"  # as WhiteNoise sends every file
    return response
