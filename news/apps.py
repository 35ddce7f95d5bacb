from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "News"

    def ready(self):
        from django.utils import translation

        from news.api_types import register_typed_streamfields

        register_typed_streamfields()
        # API v3 builds its schemas once, when first imported, turning model labels into
        # field titles: built under the site's language they would make the OpenAPI contract
        # Japanese. Build them now, in English, the language of the people who read it.
        with translation.override("en"):
            import wagtail.api.v3.api  # noqa: F401
