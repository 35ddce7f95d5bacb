from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo site: ``manage.py load_demo`` (``make demo`` runs it)."""

    name = "demo"
    verbose_name = _("Demo content")
