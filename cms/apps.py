from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "ukiyo"

    def ready(self):
        # wagtail-localize passes every translated page slug through Django's ASCII-only
        # slugify, which empties Japanese, Chinese, Korean, Thai and Hindi slugs (and strips
        # accents). ukiyo's slugify keeps every script; see cms/slugs.py.
        import wagtail_localize.models

        from cms.slugs import slugify_title

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .content_clock import connect as connect_content_clock

        connect_content_clock()

        wagtail_localize.models.slugify = slugify_title
