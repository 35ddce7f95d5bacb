"""Factories for the test suite: pages, snippets and article bodies of any size."""

import uuid
from urllib.parse import urlencode

import factory
import wagtail_factories
from django.urls import reverse
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Locale

from home.models import HomePage, StandardPage
from news.models import ArticleAuthor, ArticleIndexPage, ArticlePage, Author, Category


def default_locale():
    return Locale.get_default()


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Image {n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "A section of the publication."
    locale = factory.LazyFunction(default_locale)


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Reporter"
    bio = "Writes about science."
    locale = factory.LazyFunction(default_locale)


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Home"
    tagline = "News in nine languages"


class ArticleIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ArticleIndexPage

    title = "All Articles"
    slug = "articles"


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"Page {n}")
    summary = "A plain page."
    body = factory.LazyFunction(
        lambda: [
            {"type": "heading", "value": "Purpose", "id": str(uuid.uuid4())},
            {"type": "paragraph", "value": "<p>These terms apply.</p>", "id": str(uuid.uuid4())},
        ]
    )


def paragraph(text="A paragraph.", sources=()):
    return {
        "type": "paragraph",
        "id": str(uuid.uuid4()),
        "value": {"text": f"<p>{text}</p>", "sources": list(sources)},
    }


def list_block(style="bulleted", items=("One", "Two"), sources=(), children=("Nested",)):
    def item(text, nested):
        return {
            "type": "item",
            "id": str(uuid.uuid4()),
            "value": {
                "text": f"<p>{text}</p>",
                "sources": list(sources),
                "children": [
                    {
                        "type": "item",
                        "id": str(uuid.uuid4()),
                        "value": {"text": f"<p>{child}</p>", "sources": []},
                    }
                    for child in nested
                ],
            },
        }

    return {
        "type": "list",
        "id": str(uuid.uuid4()),
        "value": {
            "style": style,
            "items": [item(text, children if i == 0 else ()) for i, text in enumerate(items)],
        },
    }


def quote_block(text="We will go back.", attribution="Mission team", sources=()):
    return {
        "type": "quote",
        "id": str(uuid.uuid4()),
        "value": {"text": text, "attribution": attribution, "sources": list(sources)},
    }


def callout_block(tone="info", title="Background", text="A lunar night lasts two weeks."):
    return {
        "type": "callout",
        "id": str(uuid.uuid4()),
        "value": {"tone": tone, "title": title, "text": f"<p>{text}</p>"},
    }


def image_block(image, alt="A crater seen from orbit", caption="The site", credit="ukiyo"):
    return {
        "type": "image",
        "id": str(uuid.uuid4()),
        "value": {
            "image": {"image": image.pk, "alt_text": alt, "decorative": False},
            "caption": caption,
            "credit": credit,
        },
    }


def embed_block(url="https://www.youtube.com/watch?v=dQw4w9WgXcQ", caption="A video"):
    return {"type": "embed", "id": str(uuid.uuid4()), "value": {"embed": url, "caption": caption}}


def section(heading="A section", content=None):
    return {
        "type": "section",
        "id": str(uuid.uuid4()),
        "value": {"heading": heading, "content": content or [paragraph()]},
    }


def reference(n, domain=None):
    domain = domain or f"source{n}.example.com"
    return {
        "type": "reference",
        "id": str(uuid.uuid4()),
        "value": {
            "title": f"Source number {n}",
            "publisher": f"Publisher {n}",
            "url": f"https://www.{domain}/news/{n}",
            "published": "2025-06-20",
        },
    }


def rich_body(sections=2, images=()):
    """A body with ``sections`` sections, each holding every text block kind, citing sources."""
    body = []
    for n in range(1, sections + 1):
        content = [
            paragraph(f"Paragraph of section {n}.", sources=[1, 2] if n % 2 else [1]),
            list_block("numbered" if n % 2 else "bulleted", sources=[2]),
            quote_block(),
            callout_block(),
        ]
        if n <= len(images):
            content.append(image_block(images[n - 1]))
        body.append(section(f"Heading {n}", content))
    return body


class ArticlePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Article {n}")
    summary = "What happened, in two sentences."
    display_date = factory.LazyFunction(timezone.now)
    body = factory.LazyFunction(lambda: rich_body(2))
    references = factory.LazyFunction(
        lambda: [reference(1, "phys.org"), reference(2, "apnews.com")]
    )


def add_author(article, author, order=0):
    ArticleAuthor.objects.create(
        page=article, author=author, sort_order=order, locale=article.locale
    )


def full_article(parent, *, author=None, tags=("moon",), **fields):
    """A live article with every field the API exposes filled in (pass lead_image, category...).

    ``author`` is linked as the only author; ``tags`` are added and saved.
    """
    page = ArticlePageFactory(parent=parent, **fields)
    if tags:
        page.tags.add(*tags)
        page.save()
    if author is not None:
        add_author(page, author)
    return page


def admin_add_url(model, parent, **query):
    """The admin's "add page" URL for a ``model`` page under ``parent``."""
    url = reverse(
        "wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk]
    )
    return f"{url}?{urlencode(query)}" if query else url
