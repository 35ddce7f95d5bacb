"""Images in the API: responsive WebP renditions a frontend puts in ``<img srcset>``.

Lead images, card images and body figures of every page type come in one shape: the image's
id, its alternative text, and its renditions at the widths frontends pick from
(``SRCSET_WIDTHS``), never wider than the original. The types are the contract (the OpenAPI
document reads them); the functions make the JSON.
"""

from rest_framework.fields import Field as SerializerField
from typing_extensions import TypedDict  # pydantic (API v3) needs it before Python 3.12
from wagtail.images.api.fields import (
    ImageRenditionDict,
    ImageRenditionErrorDict,
    ImageRenditionField,
)
from wagtail.images.utils import to_svg_safe_spec

from core.links import absolute_media_url
from core.renditions import renditions_or_none

# The widths a frontend picks from with ``srcset``: phones, tablets, desktops, wide screens.
SRCSET_WIDTHS = (480, 800, 1200, 1600)
SRCSET_SPECS = tuple(f"width-{width}|format-webp" for width in SRCSET_WIDTHS)


class ImageRendition(TypedDict):
    """One rendition, as Wagtail's ``ImageRenditionField`` gives it (API v2's own shape)."""

    url: str
    full_url: str
    width: int
    height: int
    alt: str


class ImageSource(TypedDict):
    """One WebP rendition of a ``srcset``; ``url`` is absolute."""

    url: str
    width: int
    height: int


class ResponsiveImage(TypedDict):
    """An image at every width it has, narrowest first, with its alternative text."""

    id: int
    alt: str
    renditions: list[ImageSource]
    srcset: str


def srcset_specs(image):
    """The specs of ``image``'s renditions: never wider than the image itself.

    Wagtail's ``width-`` filter does not enlarge an image, so one spec at or above the
    original's width gives the original size; any wider spec would repeat it.
    """
    specs = []
    for width, spec in zip(SRCSET_WIDTHS, SRCSET_SPECS, strict=True):
        specs.append(spec)
        if width >= image.width:
            break
    return specs


def image_sources(image, renditions=None):
    """``image``'s WebP renditions, narrowest first, for ``srcset``.

    ``renditions`` (spec → rendition) can hold renditions already fetched with
    ``image.get_renditions`` along with others; the missing ones are fetched (and created) in
    one go, from the prefetched renditions when the caller prefetched them.
    """
    specs = srcset_specs(image)
    renditions = renditions or {}
    if any(spec not in renditions for spec in specs):
        made = renditions_or_none(image, *specs)
        if made is None:
            return []  # its original cannot be read now: no size of it, and not kept
        renditions = {**renditions, **made}
    return [
        {
            "url": absolute_media_url(renditions[spec].url),
            "width": renditions[spec].width,
            "height": renditions[spec].height,
        }
        for spec in specs
    ]


def srcset(sources):
    return ", ".join(f"{source['url']} {source['width']}w" for source in sources)


def responsive_image(image, alt=None) -> ResponsiveImage:
    """The JSON of an image for a ``<img srcset>``: call it for lead and card images.

    ``alt`` defaults to the image's own alternative text (its description in the image
    library); pass ``""`` for a decorative image.
    """
    sources = image_sources(image)
    return {
        "id": image.pk,
        "alt": image.default_alt_text if alt is None else alt,
        "renditions": sources,
        "srcset": srcset(sources),
    }


class ResponsiveImageField(SerializerField):
    """An image field (e.g. ``source="lead_image"``) as a ``ResponsiveImage``, or ``null``."""

    def to_representation(self, image) -> ResponsiveImage:
        return responsive_image(image)


class RenditionField(ImageRenditionField):
    """Wagtail's ``ImageRenditionField`` (the same JSON and type), without its cache write,
    and with ``full_url`` starting where every other link of the API starts (Wagtail's starts
    with the admin's address).

    Wagtail's field reads the rendition with ``Image.get_rendition``, which writes it back to
    the cache even when the page read it with the image (prefetched): one round trip to the
    cache per image and answer. ``get_renditions`` finds it the same way (prefetched, cached,
    in the database, or made now) and writes only what it did not find prefetched or cached.
    """

    def to_representation(self, image) -> ImageRenditionDict | ImageRenditionErrorDict:
        spec = self.filter_spec
        if self.preserve_svg and image.is_svg():
            spec = to_svg_safe_spec(spec)
        renditions = renditions_or_none(image, spec)
        if renditions is None:
            return ImageRenditionErrorDict(error="SourceImageIOError")
        (rendition,) = renditions.values()
        return ImageRenditionDict(
            url=rendition.url,
            full_url=absolute_media_url(rendition.url),
            width=rendition.width,
            height=rendition.height,
            alt=rendition.alt,
        )


def cached_rendition(image, spec):
    """``image.get_rendition(spec)``, without writing a prefetched rendition back to the cache
    (``RenditionField``); None when the original cannot be read."""
    renditions = renditions_or_none(image, spec)
    return next(iter(renditions.values())) if renditions else None


def rendition_payload(image, rendition):
    """The JSON a frontend needs to show an image, shaped like Wagtail's ImageRenditionField.

    A decorative image has an empty alt text, so that screen readers skip it.
    """
    if getattr(image, "decorative", False):
        alt = ""
    else:
        alt = getattr(image, "contextual_alt_text", None) or image.default_alt_text
    return {
        "url": rendition.url,
        "full_url": absolute_media_url(rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": alt,
    }
