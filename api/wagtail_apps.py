"""Wagtail's snippets, images and documents apps, as ukiyo starts them (``INSTALLED_APPS``
names these classes for them).

Each one's ``ready()`` registers its content types with API v3 and builds their schemas: the
fields' titles come from the models' labels, and the snippet types are listed by name. Built
in the language the apps load in (the site's default, Japanese, once the catalogs are
compiled), the OpenAPI contract named an image's title, an author's name and a dozen other
fields in Japanese, and listed the snippet types in another order than without the catalogs.
Like every other schema (``ApiConfig.ready``), they are built in English. These classes
subclass Wagtail's app configs, Django's way to change how an app starts.

In a module of their own: an ``apps.py`` with several app configs would leave Django to pick
none for the ``api`` app.
"""

from django.utils import translation
from wagtail.documents.apps import WagtailDocsAppConfig
from wagtail.images.apps import WagtailImagesAppConfig
from wagtail.snippets.apps import WagtailSnippetsAppConfig


class StartedInEnglish:
    def ready(self):
        with translation.override("en"):
            super().ready()


class SnippetsConfig(StartedInEnglish, WagtailSnippetsAppConfig):
    pass


class DocumentsConfig(StartedInEnglish, WagtailDocsAppConfig):
    pass


class ImagesConfig(StartedInEnglish, WagtailImagesAppConfig):
    pass
