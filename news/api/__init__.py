"""The article's side of both APIs: filters, cards, snippets and write rules.

``news.apps`` registers the endpoints and routers (``snippets``, ``articles``), the article
filters of the v2 pages endpoint (``filters``) and the write rules (``writes``) with the
``api`` app. The shapes of the article's own fields and blocks, which the models declare, are
``news.serializers`` (v2 fields) and ``news.schemas`` (block types).
"""
