from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from .signals import content_changed

        # The changes app records every change once; webhooks only listen, so the feed
        # and the webhooks can never disagree about what happened.
        post_save.connect(
            content_changed, sender="changes.ContentChange", dispatch_uid="webhooks.changes"
        )
