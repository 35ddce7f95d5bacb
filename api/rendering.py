"""Every JSON answer of both APIs in compact UTF-8: no escapes of letters, no spaces.

django-ninja (v3, and the change feed in both APIs) writes JSON as the standard library does
by default: each character outside ASCII as a ``\\uXXXX`` escape, and a space after each
comma and colon. The text of an article in Japanese, Chinese, Korean, Thai or Hindi then
takes six bytes a character instead of three: the demo's Japanese article was 26.5 KB in v3
and 18.6 KB in v2 (Django REST framework writes compact UTF-8), and a frontend parsed the
difference on every read. Both now write the same (``api.v2.rendering`` for v2's endpoints).
"""

from ninja.renderers import JSONRenderer

# ``json.dumps`` arguments of every answer.
COMPACT = {"ensure_ascii": False, "separators": (",", ":")}


class CompactJSONRenderer(JSONRenderer):
    json_dumps_params = COMPACT


def use_compact_json(api):
    """Have the django-ninja ``api`` (Wagtail's v3) write its answers in compact UTF-8."""
    api.renderer = CompactJSONRenderer()
