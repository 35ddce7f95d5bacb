"""API v3 (``/api/v3/``): Wagtail 8's django-ninja API and its OpenAPI document, extended.

Wagtail makes the ``NinjaAPI`` instance (``wagtail.api.v3.api.api``); ``api.apps`` extends it
once, in a written order: typed StreamFields (``schemas``), the fields page types write in
the shape they read them (``write_fields``), one exception handler (``errors``), one
post-processor of the OpenAPI document (``openapi``), decorators on Wagtail's page
operations (``pages``: reader paths, the page's language, safe writes), and the routers of
the apps (articles, categories, authors, changes, preview).
"""
