"""API v2 (``/api/v2/``): Wagtail's stable delivery API, with ukiyo's pages endpoint.

``router`` holds the endpoints; apps register their own from ``AppConfig.ready()``
(``news``: categories and authors; ``changes``: the change feed).
"""
