"""Snippet writes (``POST``/``PATCH /api/v3/snippets/<type>/``) checked like page writes.

Wagtail's snippet create and update bind the model's admin form, but two gaps let bad input
through: the form of a model that is not ``DraftStateMixin`` is validated with its required
fields deferred, as if it were a draft; and the model's own clean sees no locale on a new
snippet (Wagtail sets it when saving), so a unique constraint with ``locale`` reaches the
database (500). Here the same form is bound and validated first, as the admin's "Save" does:
every required field, the model's ``clean`` and constraints, lengths and NUL bytes, each
error a 422 naming its field (``FormValidationError``, answered by ``api.v3.errors``). A
constraint that a concurrent write still breaks is a 409 (:class:`Conflict`), never a 500.

Installed on Wagtail's snippet router (``wagtail.snippets.api.v3.router``) by ``api.urls``:
that router exists only once ``wagtail.snippets`` is ready, after this app.
"""

import functools

from django.db import IntegrityError, transaction
from django.utils import translation
from wagtail.api.v3.form_data import build_model_form, build_model_update_form
from wagtail.coreutils import resolve_model_string
from wagtail.models import DraftStateMixin, TranslatableMixin
from wagtail.permissions import policy_registry
from wagtail.utils.forms import FormValidationError

from compat.ninja import operation_id

WRITES = {"snippets_create": "add", "snippets_update": "change"}


class Conflict(Exception):
    """The database refused a write a concurrent one made invalid; answered 409."""


def extend(router):
    router.add_decorator(remember_operation, mode="view")
    router.add_decorator(before_view, mode="operation")


def remember_operation(run):
    operation = operation_id(run)

    @functools.wraps(run)
    def run_operation(request, *args, **kwargs):
        request.ukiyo_snippet_operation_id = operation
        return run(request, *args, **kwargs)

    return run_operation


def before_view(view_func):
    @functools.wraps(view_func)
    def view(request, *args, **kwargs):
        operation = getattr(request, "ukiyo_snippet_operation_id", None)
        if operation not in WRITES or "data" not in kwargs:
            return view_func(request, *args, **kwargs)
        model = resolve_model_string(kwargs["type"])
        policy = policy_registry.get_by_type(model)
        if not policy.user_has_any_permission(request.user, [WRITES[operation]]):
            return view_func(request, *args, **kwargs)  # Wagtail's 403
        with transaction.atomic():
            with translation.override("en"):
                check(request, model, kwargs["data"], kwargs.get("pk"))
            try:
                with transaction.atomic():
                    return view_func(request, *args, **kwargs)
            except IntegrityError as error:
                raise Conflict(
                    "The write conflicts with another one saved at the same time (for example "
                    "the same slug in the same language). Read the snippets again and retry."
                ) from error

    return view


def check(request, model, data, pk):
    """Bind and validate the form Wagtail's view will save; raise ``FormValidationError``."""
    if pk is None:
        form = build_model_form(model, data, user=request.user)
    else:
        instance = model._default_manager.filter(pk=pk).first()
        if instance is None:
            return  # the view answers 404
        if isinstance(instance, DraftStateMixin):
            instance = instance.get_latest_revision_as_object()
        form = build_model_update_form(instance, data, user=request.user)
    instance = form.instance
    if isinstance(instance, TranslatableMixin) and instance.locale_id is None:
        instance.locale = instance.get_default_locale()
    # A draft of a draft-state snippet may be incomplete, as in the admin; anything else is
    # saved as it is, so it must be complete.
    draft = issubclass(model, DraftStateMixin) and getattr(data.meta, "action", None) != "publish"
    if draft and hasattr(form, "defer_required_fields"):
        form.defer_required_fields()
    valid = form.is_valid()
    if draft and hasattr(form, "restore_required_fields"):
        form.restore_required_fields()
    if not valid:
        raise FormValidationError.from_form(form)
