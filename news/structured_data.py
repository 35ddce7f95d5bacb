"""An article as schema.org ``NewsArticle`` (JSON-LD): what search engines show of it, with
its sources as ``citation`` (the reference list, machine-readable)."""

from urllib.parse import quote

from django.utils.translation import gettext as _

from core.renditions import renditions_or_none
from core.structured_data import CONTEXT, organization

from .images import STRUCTURED_DATA_RENDITIONS
from .models import author_path


def iso(moment):
    return moment.isoformat() if moment else None


def person(author, request, language):
    """An author as a ``Person``: their name, role and page (in ``language``, theirs)."""
    return {
        "@type": "Person",
        "name": author.name,
        **({"jobTitle": author.role} if author.role else {}),
        "url": request.build_absolute_uri(author_path(author.slug, language)),
    }


def profile_page(author, request, language):
    """An author's page as a ``ProfilePage`` about them (with their biography)."""
    about = person(author, request, language)
    if author.bio.strip():
        about["description"] = author.bio.strip()
    return {"@context": CONTEXT, "@type": "ProfilePage", "mainEntity": about}


def news_article(page, request, site_name):
    """``NewsArticle`` of a live article (its authors, tags and lead image's renditions read
    with ``prefetch_for_reading``)."""
    url = request.build_absolute_uri(page.get_url(request))
    published = page.display_date
    data = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "headline": page.title,
        "description": page.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": page.locale.language_code,
        "datePublished": iso(published),
        "dateModified": iso(max(filter(None, [published, page.last_modified]), default=None)),
        "author": [person(author, request, page.locale.language_code) for author in page.authors],
        "publisher": organization(request, site_name),
        "isAccessibleForFree": True,
    }
    if page.lead_image is not None:
        # None when the original cannot be read: no image, rather than addresses of files
        # that do not exist.
        renditions = renditions_or_none(page.lead_image, *STRUCTURED_DATA_RENDITIONS)
        if renditions:
            data["image"] = [
                request.build_absolute_uri(renditions[spec].url)
                for spec in STRUCTURED_DATA_RENDITIONS
            ]
    if page.category is not None:
        data["articleSection"] = page.category.name
    tags = [tag.name for tag in page.tags.all()]
    if tags:
        data["keywords"] = tags
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": correction.text,
            "datePublished": iso(correction.published),
        }
        for correction in page.published_corrections
    ]
    if corrections:
        data["correction"] = corrections
    citations = [citation(reference) for reference in page.numbered_references.values()]
    if citations:
        data["citation"] = citations
    return {key: value for key, value in data.items() if value not in (None, "")}


def citation(reference):
    """One entry of the reference list as a ``CreativeWork``."""
    work = {"@type": "CreativeWork", "name": reference["title"], "url": reference["url"]}
    if reference.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": reference["publisher"]}
    if reference.get("published"):
        work["datePublished"] = reference["published"].isoformat()
    return work


def category_url(index_url, category):
    return f"{index_url}?category={quote(category.slug)}"


def list_breadcrumbs(page, request, home_url, category=None):
    """``(name, URL)`` from the home page to an article list, or one category of it."""
    crumbs = [(_("Home"), home_url)] if home_url else []
    index_url = page.get_url(request)
    crumbs.append((page.title, index_url))
    if category is not None:
        crumbs.append((category.name, category_url(index_url, category)))
    return crumbs


def article_breadcrumbs(page, request, home_url):
    """``(name, URL)`` from the home page to the article: home, the article list, the
    article's category on that list, the article."""
    crumbs = [(_("Home"), home_url)] if home_url else []
    index = page.get_parent()
    index_url = index.get_url(request) if index is not None else None
    if index_url:
        crumbs.append((index.title, index_url))
        if page.category is not None:
            crumbs.append((page.category.name, category_url(index_url, page.category)))
    crumbs.append((page.title, page.get_url(request)))
    return crumbs
