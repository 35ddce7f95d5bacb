from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "News"

    def ready(self):
        from news.api_types import register_typed_streamfields

        register_typed_streamfields()
