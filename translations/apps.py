from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class TranslationsConfig(AppConfig):
    """The translators' tools around wagtail-localize: bulk translation, dashboard, MT setup."""

    name = "translations"
    verbose_name = _("Translations")

    def ready(self):
        from wagtail_localize.models import StringTranslation

        from compat import wagtail_localize, wagtail_pages

        from .access import may_edit, visible_translations
        from .machine import make_machine_slug_a_slug
        from .review import check_publication, may_publish_translation, segment_comment

        # wagtail-localize's own submit and sync views check only "Can submit translations":
        # they also need the right to edit what is translated (see compat.wagtail_localize).
        wagtail_localize.refuse_objects_the_user_may_not_edit(may_edit)
        # Its Translations report lists every translation's source title to every admin user.
        wagtail_localize.restrict_translations_report(visible_translations)
        # Machine translation waits for a translator: the editor says so of each segment, and
        # no path publishes a translation before it is reviewed (translations.review).
        wagtail_localize.comment_segments_with(segment_comment)
        wagtail_pages.check_before_publishing(check_publication)
        # wagtail-localize publishes a translation after the commit: it decides before.
        wagtail_localize.publish_targets_only_if(may_publish_translation)
        # wagtail-localize's "Machine translate" button stores a slug as the service wrote it.
        post_save.connect(
            make_machine_slug_a_slug,
            sender=StringTranslation,
            dispatch_uid="translations.machine_slug",
        )
