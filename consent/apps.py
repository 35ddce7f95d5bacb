from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Cookie consent")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import ConsentSettings

        # The policy version and the scripts are on every page, in every language.
        for signal in (post_save, post_delete):
            signal.connect(
                consent_settings_changed,
                sender=ConsentSettings,
                dispatch_uid=f"ukiyo-pagecache-consent-{signal is post_save}",
            )


def consent_settings_changed(sender, instance, created=False, raw=False, **kwargs):
    from changes import invalidation
    from core import pagecache

    if raw:
        return
    if created and not instance.scripts and instance.policy_version == 1:
        # Made with the defaults by the first page that reads them (``for_site``): pages
        # already showed those.
        return
    invalidation.site_wide([pagecache.CONSENT])
