from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationsConfig(AppConfig):
    """The translators' tools around wagtail-localize: bulk translation, dashboard, MT setup."""

    name = "translations"
    verbose_name = _("Translations")
