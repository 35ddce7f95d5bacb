"""Admin users whose page rights cover one branch of the tree, for the tests of who sees what."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission
from wagtail.users.models import UserProfile

PAGE_ACTIONS = ("add", "change", "publish")


def branch_editor(client, branch, *, name="english-desk", codenames=(), actions=PAGE_ACTIONS):
    """``client`` logged in as an admin user who may ``actions`` on ``branch`` and below.

    The group also holds ``codenames`` (model permissions, e.g. ``submit_translation``); the
    user reads the admin in English so that messages compare.
    """
    user = get_user_model().objects.create_user(username=name, password="x")
    group = Group.objects.create(name=f"Group {name}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(codename=codename))
    for action in actions:
        GroupPagePermission.objects.create(
            group=group, page=branch, permission=Permission.objects.get(codename=f"{action}_page")
        )
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client
