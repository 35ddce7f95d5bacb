"""Every patch of a dependency's internals, in one place.

ukiyo extends its dependencies through their supported extension points wherever one exists
(django-ninja's ``add_exception_handler`` and router decorators, Wagtail's link handlers and
hooks, urllib3's ``server_hostname``). What follows has no such point yet. Each module here
holds one dependency's patches; each patch says what it fixes and which upstream issue or pull
request it works around (or that none exists yet), and ``tests/compat/`` holds a test per
patch that fails when the upstream behaviour it relies on changes, so an upgrade shows at
once which patch to revisit or delete.

Nothing here runs on import: the app that needs a patch applies it from its
``AppConfig.ready()``, so the order in which patches take effect is written down there.

- ``compat.wagtail_localize``: translated page slugs keep every script.
- ``compat.wagtail_pages``: a page's slug made from its title keeps every script; a
  request's site and route, found by ukiyo from the cache, are the ones Wagtail uses.
- ``compat.wagtail_api``: API v3's typed StreamFields, ``meta.parent`` visibility, 400s for
  unusable filter values, and list item ids kept by writes.
- ``compat.wagtail_images``: an image upload whose file is broken or cut short is refused.
- ``compat.ninja``: the one post-processor of the OpenAPI document, and which operation a
  router decorator is running.
- ``compat.allauth``: failed logins counted per account, whatever the Host header.

This package sits below every app (``pyproject.toml``, import-linter contract): it imports
dependencies only, and takes what ukiyo supplies (a slug function, a resolver) as arguments.
"""
