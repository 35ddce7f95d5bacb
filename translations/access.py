"""What a user may edit, as the translators' views and wagtail-localize's ask it."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from wagtail.models import Page
from wagtail.permissions import page_permission_policy, policy_registry
from wagtail.snippets.models import get_snippet_models
from wagtail.snippets.permissions import get_permission_name


def editable_pages(user):
    """The pages ``user`` may edit, or None for a superuser (every page, no query needed)."""
    if user.is_active and user.is_superuser:
        return None
    return page_permission_policy.instances_user_has_permission_for(user, "change")


def may_edit(user, instance):
    """Whether ``user`` may edit ``instance``: a page by the page tree's permissions (an
    editor of ``/en/articles/`` edits nothing above or beside it), a snippet by its model's."""
    if isinstance(instance, Page):
        return instance.permissions_for_user(user).can_edit()
    policy = policy_registry.get(instance)
    return policy.user_has_permission_for_instance(user, "change", instance)


def visible_translations(user, translations):
    """The wagtail-localize ``Translation`` rows ``user`` may see: a page's when they may edit
    its source or its target page, a snippet's when they may change that snippet type."""
    if user.is_active and user.is_superuser:
        return translations
    editable = editable_pages(user)
    key = OuterRef("source__object__translation_key")
    page_type = ContentType.objects.get_for_model(Page)
    snippet_types = [
        ContentType.objects.get_for_model(model).pk
        for model in get_snippet_models()
        if user.has_perm(get_permission_name("change", model))
    ]
    return translations.filter(
        Q(
            Q(source__object__content_type=page_type)
            & Q(
                Exists(editable.filter(translation_key=key, locale=OuterRef("source__locale")))
                | Exists(editable.filter(translation_key=key, locale=OuterRef("target_locale")))
            )
        )
        | Q(source__object__content_type__in=snippet_types)
    )
