"""schema.org descriptions of pages as JSON-LD: what search engines read of the site, the
publisher, the path to a page, and (in ``news.structured_data``) an article.

Each function returns a plain dictionary; ``script`` writes one as a
``<script type="application/ld+json">`` element. Addresses are absolute (``request``).
"""

import json

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

CONTEXT = "https://schema.org"

# JSON inside an HTML <script>: "</script>" or "<!--" in a title must not end or change it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script(data):
    """``data`` as a JSON-LD ``<script>`` element (a data block: browsers never run it)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 (escaped above)


def organization(request, name):
    """The publisher: its name, logo (``ORGANIZATION_LOGO``, else the site's icon) and the
    profiles it keeps elsewhere (``ORGANIZATION_SAME_AS``)."""
    logo = settings.UKIYO_ORGANIZATION_LOGO or static("img/favicon.svg")
    data = {
        "@type": "Organization",
        "name": name,
        "url": request.build_absolute_uri("/"),
        "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(logo)},
    }
    if settings.UKIYO_ORGANIZATION_SAME_AS:
        data["sameAs"] = list(settings.UKIYO_ORGANIZATION_SAME_AS)
    return data


def website(request, name, home_url, language_code):
    """The site in one language, with the search readers can run from a search engine's
    results (``SearchAction``), and its publisher."""
    search = request.build_absolute_uri(reverse("search")) + "?q={search_term_string}"
    return {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": name,
        "url": request.build_absolute_uri(home_url),
        "inLanguage": language_code,
        "publisher": organization(request, name),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": search},
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumb_list(request, crumbs):
    """``BreadcrumbList`` of ``crumbs``: ``(name, URL)`` pairs from the home page to the
    page itself."""
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(url),
            }
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }
