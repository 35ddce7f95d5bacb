"""The frontend preview URL, checked by ``manage.py check``."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register()
def frontend_preview_url(app_configs, **kwargs):
    """Previews redirect editors to this URL: it must be an absolute http(s) URL."""
    url = settings.UKIYO_FRONTEND_PREVIEW_URL
    parts = urlsplit(url)
    if url and (parts.scheme not in {"http", "https"} or not parts.netloc or parts.fragment):
        return [
            checks.Error(
                f"UKIYO_FRONTEND_PREVIEW_URL={url!r} is not an absolute http(s) URL without "
                "a #fragment: the admin could not send previews to the frontend.",
                hint="e.g. https://app.news.example/preview (docs/api.md, Preview).",
                id="ukiyo.E002",
            )
        ]
    return []
