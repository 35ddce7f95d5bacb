"""The routers ukiyo's apps add to API v3, mounted after Wagtail's own.

Apps register theirs from ``AppConfig.ready()``; ``api.urls`` mounts them on Wagtail's API in
the order they were registered, right before it reads the API's URLs, so they always come
after the routers Wagtail's apps add from their own ``ready()``.

The order is part of the contract: django-ninja names each schema of the OpenAPI document by
its class name, and when two schemas share a name the one met last is written. ukiyo's
``CategorySchema`` and ``AuthorSchema`` share their names with Wagtail's snippet schemas, and
the cards' pagination ``Input`` with Wagtail's; the document has always shown ukiyo's.
"""

_routers = []


def register(prefix, router):
    """Add ``router`` at ``/api/v3/<prefix>`` (e.g. ``"/articles/"``)."""
    _routers.append((prefix, router))


def mount(api):
    for prefix, router in _routers:
        api.add_router(prefix, router)
