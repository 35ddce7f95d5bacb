"""The headless API as a contract: Wagtail's API v2 (``v2``) and v3 (``v3``), extended.

What both versions share lives here: who sees what (``access``), HTTP caching (``caching``),
the language chain of ``?fallback=`` (``languages``), reader paths (``paths``), image
renditions (``images``), query parameters (``params``) and the preview endpoints
(``preview``). ``apps`` extends Wagtail's APIs once, in a written order; ``urls`` mounts them.
The domain apps add their own endpoints and rules from their ``AppConfig.ready()``.
"""
