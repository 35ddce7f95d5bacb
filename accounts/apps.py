from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Reader accounts")

    def ready(self):
        from compat.allauth import count_strictly
        from core.sharedcache import strict

        # Account limits guard passwords and mailboxes: with no cache to count them in, an
        # attempt is refused (503: accounts.middleware), not let through uncounted.
        count_strictly(strict)
