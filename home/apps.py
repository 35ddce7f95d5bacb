from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and site pages")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
