"""Every absolute URL the API gives of ukiyo's own API and images starts with one address.

``WAGTAILAPI_BASE_URL`` may differ from the admin's address (``WAGTAILADMIN_BASE_URL``): an
API answered on its own host. Links to endpoints and to images then start with the API's
address in every field, ``full_url`` of a rendition included.
"""

import re

import pytest
from django.test import override_settings

from tests.factories import (
    ImageFactory,
    full_article,
    image_block,
    paragraph,
    reference,
    section,
)

API = "https://api.news.example"
ADMIN = "https://cms.news.example"
MEDIA_URL = re.compile(r"https?://[^\s\"',]*/media/[^\s\"',]*")


@pytest.fixture
def article(index):
    image = ImageFactory(title="Landing site", file__width=1600, file__height=900)
    return full_article(
        index,
        lead_image=image,
        body=[section("Landing", [paragraph("<p>Down.</p>", sources=[1]), image_block(image)])],
        references=[reference(1, "phys.org")],
    )


@override_settings(WAGTAILADMIN_BASE_URL=ADMIN, WAGTAILAPI_BASE_URL=API)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/pages/{id}/",
        "/api/v2/pages/?type=news.ArticlePage&fields=*",
        "/api/v3/pages/{id}/",
        "/api/v3/articles/",
        "/api/v3/articles/{id}/",
    ],
)
def test_image_urls_start_with_the_api_address_like_every_other_link(client, article, path):
    response = client.get(path.format(id=article.pk))

    assert response.status_code == 200
    text = response.content.decode()
    images = MEDIA_URL.findall(text)
    assert images
    assert [url for url in images if not url.startswith(API + "/media/")] == []
    assert ADMIN not in text
