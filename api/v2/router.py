"""The v2 router: every ``/api/v2/<name>/`` endpoint, registered before the URLs are built.

Apps add theirs from ``AppConfig.ready()`` with ``router.register_endpoint(name, class)``;
``api.urls`` mounts the router when the URLconf is first read.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from .pages import PagesEndpoint
from .params import RefusesUnknownParameters
from .preview import PreviewEndpoint
from .rendering import CompactJSON


class ImagesEndpoint(CompactJSON, RefusesUnknownParameters, ImagesAPIViewSet):
    pass


class DocumentsEndpoint(CompactJSON, RefusesUnknownParameters, DocumentsAPIViewSet):
    pass


router = WagtailAPIRouter("wagtailapi")
router.register_endpoint("pages", PagesEndpoint)
router.register_endpoint("images", ImagesEndpoint)
router.register_endpoint("documents", DocumentsEndpoint)
router.register_endpoint("preview", PreviewEndpoint)
