"""The renditions readers' pages show, and the ``sizes`` that match the stylesheet's layout.

Every image a reader's page shows comes with a ``srcset``, so that a phone downloads an image
near its own width rather than the desktop one. The widths of each kind are fetched with the
page's other renditions, in one query (``ArticlePage.prefetch_for_reading`` for an
article, ``ArticleQuerySet.for_listing`` for cards).
"""

from api.images import SRCSET_SPECS, SRCSET_WIDTHS

# A card's image (16:9, cropped around the focal point) and an article's lead image. Their
# ``src`` (and the API's thumbnail and lead rendition) keep these specs.
CARD_RENDITION = "fill-640x360|format-webp"
LEAD_RENDITION = "width-1200|format-webp"

# Cards are at most 42rem wide (the home page's top story on a desktop); 960 covers that on
# a screen of twice the density, 320 a one-column phone.
CARD_SRCSET = tuple(f"fill-{width}x{width * 9 // 16}|format-webp" for width in (320, 480, 640, 960))
# The article column is at most 40em wide: the API's widths up to 1200 (the lead's ``src``).
ARTICLE_SRCSET = tuple(
    spec for width, spec in zip(SRCSET_WIDTHS, SRCSET_SPECS, strict=True) if width <= 1200
)

# How wide each kind is shown, per ukiyo.css and listing.css: the page is at most 75rem with
# gutters of 1-2rem (4vw between); the card grid has one column, two from 40em, three from
# 64em; the top story takes 3/5 of the page from 48em; the article column is at most 40em.
SIZES = {
    "card": (
        "(min-width: 75rem) 23rem, (min-width: 64em) calc((100vw - 7rem) / 3), "
        "(min-width: 40em) calc((100vw - 5.5rem) / 2), calc(100vw - 2rem)"
    ),
    "top-story": "(min-width: 75rem) 42rem, (min-width: 48em) 60vw, calc(100vw - 2rem)",
    "article": "(min-width: 44em) 40em, 92vw",
}
# The lead image at 1200 pixels wide in the three shapes Google asks for (16:9, 4:3, 1:1), for
# an article's structured data (news.structured_data).
STRUCTURED_DATA_RENDITIONS = (
    "fill-1200x675|format-webp",
    "fill-1200x900|format-webp",
    "fill-1200x1200|format-webp",
)
# An author's photo on their page.
AUTHOR_PHOTO_RENDITION = "fill-160x160"

SRCSET = {"card": CARD_SRCSET, "top-story": CARD_SRCSET, "article": ARTICLE_SRCSET}
FALLBACK = {"card": CARD_RENDITION, "top-story": CARD_RENDITION, "article": LEAD_RENDITION}
