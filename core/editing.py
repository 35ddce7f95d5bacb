"""Which of the page editor's requests may leave a draft half-written.

Wagtail's editor saves in the background while an editor types (autosave) and validates the
form for the preview panel. Both run a draft's validation, where Wagtail defers what a draft
may leave empty. ukiyo asks more of a draft saved on purpose ("Save draft"): a section has its
heading, every cited source is in the reference list (``news.blocks``). Asking it of the
background requests would pause autosave with "There are validation errors" and leave the
preview stale while the editor is still writing the section, so those keep Wagtail's rules:
the next save the editor makes checks everything.

``EditorBackgroundMiddleware`` (``core.middleware``) marks those requests;
``in_background()`` tells a block's validation whether it runs in one.
"""

import contextvars

_background = contextvars.ContextVar("ukiyo_editor_background", default=False)

# Wagtail's page editor views that validate a form in the background: the preview panel,
# and the create and edit views when the editor's autosave posts to them.
PREVIEW_VIEWS = frozenset(
    {"wagtailadmin_pages:preview_on_add", "wagtailadmin_pages:preview_on_edit"}
)
EDIT_VIEWS = frozenset({"wagtailadmin_pages:add", "wagtailadmin_pages:edit"})


def in_background():
    """Whether the current request is one of the editor's background checks or saves."""
    return _background.get()


def is_autosave(request):
    """Whether ``request`` is the editor's autosave: Wagtail's autosave asks for JSON, the
    editor's own buttons for a page."""
    return request.method == "POST" and not request.accepts("text/html")


def is_background(request, view_name):
    return view_name in PREVIEW_VIEWS or (view_name in EDIT_VIEWS and is_autosave(request))


def mark_background(value):
    """Set the mark for the rest of the current context; a token for ``unmark``."""
    return _background.set(value)


def unmark(token):
    _background.reset(token)
