from wagtail.admin.menu import MenuItem
from wagtail.permissions import page_permission_policy

#: the page actions that make the page tree explorable (Wagtail's own list for its explorer)
EXPLORE_ACTIONS = {"add", "change", "publish", "lock", "unlock", "bulk_delete"}


def may_explore_pages(user):
    return page_permission_policy.user_has_any_permission(user, EXPLORE_ACTIONS)


class PagesMenuItem(MenuItem):
    """Shown to those who may work on some page: the views behind it refuse everyone else."""

    def is_shown(self, request):
        return may_explore_pages(request.user)
