"""Uploaded files ukiyo may serve itself: images, never documents.

Wagtail keeps documents under ``documents/`` in ``MEDIA_ROOT`` and serves them through its
own view (``/documents/<id>/<name>``), which asks for a private collection's password or
login. A file address under ``/media/`` would skip that question, so only the folders of
images (which Wagtail never makes private) are served from there. Production web servers are
told the same in docs/configuration.md.

The development server serves them; in production the web server or object storage does,
unless ``SERVE_MEDIA`` asks ukiyo to (a CDN in front, no web server of one's own).
"""

import posixpath

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.views.static import serve

# Wagtail's folders: original images, their renditions, and the admin's user avatars.
PUBLIC_MEDIA_FOLDERS = ("original_images/", "images/", "avatar_images/")
# A file's name can come back with other content (an image deleted, another uploaded under its
# name), and a browser's copy cannot be purged: a day for browsers; a month for shared caches,
# which can (docs/configuration.md, "Compression and cache lifetimes"). The same for files in
# a bucket (core.storage).
BROWSER_MAX_AGE = 86400
SHARED_MAX_AGE = 2592000


def is_plain_path(path):
    """Whether ``path`` names a file the plain way: relative, no NUL, no backslash, nothing
    that ``normpath`` would change (``.``, ``//``, a trailing ``/``), not above its folder."""
    if "\\" in path or "\x00" in path or path.startswith("/"):
        return False
    return posixpath.normpath(path) == path and path != ".." and not path.startswith("../")


def is_public_media(path):
    """Whether ``path`` (relative to ``MEDIA_ROOT``) names a file inside a public folder."""
    return is_plain_path(path) and path.startswith(PUBLIC_MEDIA_FOLDERS)


def serve_file(request, path, root):
    """Django's file-serving view for ``path`` (checked by the caller) in the folder ``root``.
    A name the file system refuses (longer than it allows, say) is missing: a 404, not a 500."""
    try:
        return serve(request, path, document_root=root)
    except OSError as error:
        raise Http404("No such file.") from error


def serve_public_media(request, path):
    """Django's file-serving view, limited to the public folders, with cache lifetimes."""
    if not is_public_media(path):
        raise Http404("Not a public file.")
    response = serve_file(request, path, settings.MEDIA_ROOT)
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE, s_maxage=SHARED_MAX_AGE)
    return response
