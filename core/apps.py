from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Site settings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished
        from django.db.models.signals import post_delete, post_save, pre_save
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction
        from wagtail.signals import page_published, post_page_move

        from compat import wagtail_images, wagtail_localize

        from . import (
            checks,  # noqa: F401  (registers the deployment checks)
            renditions,
            visibility,
        )
        from .logs import forget_request_id
        from .slugs import slugify_title

        # A request's id stays on the log lines until its answer has been sent (core.logs).
        request_finished.connect(forget_request_id, dispatch_uid="ukiyo_forget_request_id")

        # wagtail-localize passes every translated page slug through Django's ASCII-only
        # slugify, which empties Japanese, Chinese, Korean, Thai and Hindi slugs (and strips
        # accents). ukiyo's slugify keeps every script (core.slugs).
        wagtail_localize.use_slugify(slugify_title)
        # An optional block left empty (null) must not stop its page from being translated.
        wagtail_localize.skip_empty_blocks()
        # Wagtail answered 500 to an image upload whose file is cut short (admin and API).
        wagtail_images.refuse_unreadable_images()

        # The renditions a published page shows are made by the worker, not by its first
        # readers (core.renditions).
        page_published.connect(renditions.on_page_published, dispatch_uid="ukiyo_renditions")
        post_save.connect(
            renditions.on_rendition_saved,
            sender=get_image_model().get_rendition_model(),
            dispatch_uid="ukiyo_renditions_made",
        )
        post_delete.connect(
            renditions.on_rendition_deleted,
            sender=get_image_model().get_rendition_model(),
            dispatch_uid="ukiyo_renditions_redone",
        )
        # The restricted sections are kept (core.visibility): a restriction saved or deleted,
        # or a moved page (the tree paths change), makes them stale.
        for signal, sender, name in (
            (post_save, PageViewRestriction, "saved"),
            (post_delete, PageViewRestriction, "deleted"),
            (post_page_move, None, "moved"),
        ):
            signal.connect(
                visibility.on_restrictions_changed,
                sender=sender,
                dispatch_uid=f"ukiyo_restricted_sections_{name}",
            )
        pre_save.connect(
            renditions.on_image_saving,
            sender=get_image_model(),
            dispatch_uid="ukiyo_renditions_focal_point",
        )
