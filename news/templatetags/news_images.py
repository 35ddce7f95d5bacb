"""``{% responsive_image %}``: an ``<img>`` with ``srcset`` and ``sizes`` for readers' pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.renditions import renditions_or_none
from news.images import FALLBACK, SIZES, SRCSET

register = template.Library()

PRIORITY = mark_safe(' fetchpriority="high"')
EAGER = mark_safe(' decoding="async"')
LAZY = mark_safe(' loading="lazy" decoding="async"')


@register.simple_tag
def responsive_image(image, layout, alt=None, css_class="", priority=False, eager=False):
    """``image`` laid out as ``layout`` (``card``, ``top-story`` or ``article``).

    ``src``, ``width`` and ``height`` are those of the kind's usual rendition, so the box is
    reserved before the image arrives; ``srcset`` lists each width once (an image narrower than
    a width gives its own size, which would repeat). ``priority`` marks the largest image of
    the first screen (the LCP element): fetched first, never lazily; ``eager`` loads
    another image of the first screen at once; any other image waits until it nears the
    screen. ``alt`` defaults to the image's own description; pass ``""``
    for an image the text beside it already names. An image whose original cannot be read
    (the bucket out of reach, before its renditions were made) is left out.
    """
    if not image:
        return ""
    specs = SRCSET[layout]
    renditions = renditions_or_none(image, *specs, FALLBACK[layout])
    if renditions is None:
        return ""  # its original cannot be read now: the page without it, not kept
    fallback = renditions[FALLBACK[layout]]
    by_width = {}
    for spec in specs:
        by_width.setdefault(renditions[spec].width, renditions[spec])
    srcset = ", ".join(f"{rendition.url} {width}w" for width, rendition in sorted(by_width.items()))
    if priority:
        loading = PRIORITY
    elif eager:
        loading = EAGER
    else:
        loading = LAZY
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}>',
        fallback.url,
        srcset,
        SIZES[layout],
        fallback.width,
        fallback.height,
        image.default_alt_text if alt is None else alt,
        format_html(' class="{}"', css_class) if css_class else "",
        loading,
    )


@register.simple_tag
def rendition(image, spec):
    """``image``'s rendition for ``spec`` (``{% rendition page.lead_image "width-1200" as x %}``),
    like Wagtail's ``{% image ... as x %}`` without parsing the spec on every page."""
    if not image:
        return None
    # Wagtail's get_rendition writes the rendition to the cache on every call, even one
    # found among the prefetched renditions; get_renditions writes only what it looked up.
    renditions = renditions_or_none(image, spec)
    return renditions[spec] if renditions else None
