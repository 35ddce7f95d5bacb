from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationsConfig(AppConfig):
    """The translators' tools around wagtail-localize: bulk translation, dashboard, MT setup."""

    name = "translations"
    verbose_name = _("Translations")

    def ready(self):
        from compat import wagtail_localize

        from .access import may_edit, visible_translations

        # wagtail-localize's own submit and sync views check only "Can submit translations":
        # they also need the right to edit what is translated (see compat.wagtail_localize).
        wagtail_localize.refuse_objects_the_user_may_not_edit(may_edit)
        # Its Translations report lists every translation's source title to every admin user.
        wagtail_localize.restrict_translations_report(visible_translations)
