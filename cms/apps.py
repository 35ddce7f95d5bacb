from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """The project package (settings, URLs, base templates, static files, date formats).

    It is an app for its migrations only: they hold the history of the models that lived
    here before they moved to ``core``, ``preview`` and ``changes`` (``0004``).
    """

    name = "cms"
    verbose_name = _("ukiyo")
