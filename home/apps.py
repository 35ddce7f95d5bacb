from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home and site pages"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
