"""API fields every ukiyo page shares (v2 serializer fields; v3 reads their types)."""

from django.conf import settings
from rest_framework.fields import Field
from typing_extensions import TypedDict  # pydantic (API v3) needs it before Python 3.12

from .links import page_api_urls


class Alternate(TypedDict):
    id: int
    html_url: str
    api_v2_url: str
    api_v3_url: str


class AlternatesField(Field):
    """The page in every language it is published in, itself included, in the site's
    language order: ``{"en": {"id", "html_url", "api_v2_url", "api_v3_url"}, ...}``.

    A frontend switches language, or writes ``hreflang`` links, without a second request.
    Reads ``BasePage.live_translations`` (one query, or none when the listing prefetched).
    """

    def to_representation(self, translations) -> dict[str, Alternate]:
        alternates = {}
        for code, _name in settings.LANGUAGES:
            page = translations.get(code)
            if page is None:
                continue
            api_v2_url, api_v3_url = page_api_urls(page.pk)
            alternates[code] = {
                "id": page.pk,
                "html_url": page.get_full_url(),
                "api_v2_url": api_v2_url,
                "api_v3_url": api_v3_url,
            }
        return alternates
