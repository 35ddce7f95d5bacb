from django.apps import AppConfig
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Headless API")

    def ready(self):
        """Extend Wagtail's two APIs, in this order, before any URL is built.

        ``api`` is listed above the domain apps and the wagtail apps in ``INSTALLED_APPS``:
        Wagtail builds every v3 page schema the first time its registry is imported
        (``wagtail.contrib.redirects`` does so from its ``ready()``), and the StreamField
        types must be given before that. The domain apps then add their routers, endpoints
        and write rules from their own ``ready()``.
        """
        from compat import ninja, wagtail_api

        from .v3 import read_schemas, write_fields
        from .v3.schemas import typed_streamfield

        wagtail_api.type_streamfields(typed_streamfield)
        ninja.require_serialized_fields()
        # The schemas turn model labels into field titles: built under the site's language
        # they would make the OpenAPI contract Japanese. Build them now, in English. The
        # page types' write fields join their write schemas, and their read schemas get their
        # type and say what can be null, before the pages router gathers those.
        with translation.override("en"):
            from wagtail.api.v3.registry import registry

            write_fields.extend(registry)
            read_schemas.extend(registry)
            from wagtail.api.v3.api import api as api_v3
        from wagtail.api.v3.routers.pages import router as pages_router

        from . import access
        from .v3 import errors, openapi, pages, preview, routers, site_config

        wagtail_api.resolve_page_parent_with(access.visible_parent)
        wagtail_api.refuse_unusable_filter_values()
        wagtail_api.keep_list_item_ids()
        errors.register(api_v3)
        ninja.postprocess_openapi(api_v3, openapi.build)
        pages.extend(pages_router)
        routers.register("/preview/", preview.router)
        routers.register("/site-config/", site_config.router)
