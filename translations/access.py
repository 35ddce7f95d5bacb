"""What a user may edit, as the translators' views and wagtail-localize's ask it."""

from wagtail.models import Page
from wagtail.permissions import page_permission_policy, policy_registry


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
