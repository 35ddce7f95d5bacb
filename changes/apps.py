from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("Content changes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers are connected here, not at models import, so importing the models
        # (e.g. from a migration) has no side effect.
        from . import signals

        signals.connect()
