"""The demo's articles, from their files (``articles/*.json``, see FORMAT.md) to unsaved pages.

Block ids are derived from the article's slug and the block's position, so an article gets the
same ids in every language: wagtail-localize matches the translated texts to the original's
segments by them.
"""

import uuid
from datetime import datetime

from news.models import ArticleCorrection, ArticlePage

# Stable block ids: the same article always gets the same ids, in every language.
BLOCK_NAMESPACE = uuid.UUID("6f1e3b7c-1d2a-4c55-9a7e-3c0b8f1e2d40")


class DemoContentError(Exception):
    pass


def block_id(*parts):
    return str(uuid.uuid5(BLOCK_NAMESPACE, "/".join(str(part) for part in parts)))


def as_rich_text(text):
    text = text.strip()
    return text if text.startswith("<p") else f"<p>{text}</p>"


def sources(block):
    # The files count from 0; editors and readers count sources from 1.
    return [index + 1 for index in block.get("cites", [])]


def article_page(article, language, images):
    """The unsaved article in ``language``; ``images`` are the demo's images by key."""
    content = article[language]
    page = ArticlePage(
        title=content["title"],
        slug=article["slug"],
        subtitle=content.get("subtitle", ""),
        summary=content["summary"],
        lead_image_caption=content.get("lead_caption", ""),
        lead_image_credit=content.get("lead_credit", ""),
        body=article_body(article, language, images),
        references=article_references(article, language),
    )
    page.corrections = article_corrections(article, language)
    return page


def article_corrections(article, language):
    """The article's corrections in ``language``: kind and date from the article, the text
    from the language. Their translation keys come from the slug and the position, as block
    ids do: wagtail-localize matches each translated text to its correction by them."""
    corrections = article.get("corrections", [])
    texts = article[language].get("corrections", [])
    if len(texts) != len(corrections):
        raise DemoContentError(
            f"{article['slug']}: {len(corrections)} corrections, {len(texts)} {language} texts"
        )
    return [
        ArticleCorrection(
            kind=correction["kind"],
            published=datetime.fromisoformat(correction["published"]),
            text=text,
            translation_key=block_id(article["slug"], "correction", position),
        )
        for position, (correction, text) in enumerate(zip(corrections, texts, strict=True))
    ]


def article_body(article, language, images):
    body = []
    for s, section in enumerate(article[language]["sections"]):
        content = [
            {
                "type": block["type"],
                "id": block_id(article["slug"], s, b),
                "value": block_value(article, block, (s, b), images),
            }
            for b, block in enumerate(section["blocks"])
        ]
        body.append(
            {
                "type": "section",
                "id": block_id(article["slug"], s),
                "value": {"heading": section["heading"], "content": content},
            }
        )
    return body


def block_value(article, block, position, images):
    kind = block["type"]
    if kind == "paragraph":
        return {"text": as_rich_text(block["text"]), "sources": sources(block)}
    if kind == "quote":
        return {
            "text": block["text"],
            "attribution": block.get("attribution", ""),
            "sources": sources(block),
        }
    if kind == "callout":
        return {
            "tone": block.get("tone", "info"),
            "title": block.get("title", ""),
            "text": as_rich_text(block["text"]),
        }
    if kind == "image":
        return {
            "image": {
                "image": images[block["image"]].pk,
                "alt_text": block["alt"],
                "decorative": False,
            },
            "caption": block.get("caption", ""),
            "credit": block.get("credit", ""),
        }
    if kind == "list":
        return {
            "style": block.get("style", "bulleted"),
            "items": [
                list_item(article, item, (*position, i)) for i, item in enumerate(block["items"])
            ],
        }
    raise DemoContentError(f"{article['slug']}: unknown block type {kind!r}")


def list_item(article, item, position):
    return {
        "type": "item",
        "id": block_id(article["slug"], *position),
        "value": {
            "text": as_rich_text(item["text"]),
            "sources": sources(item),
            "children": [
                {
                    "type": "item",
                    "id": block_id(article["slug"], *position, c),
                    "value": {"text": as_rich_text(child["text"]), "sources": sources(child)},
                }
                for c, child in enumerate(item.get("children", []))
            ],
        },
    }


def article_references(article, language):
    return [
        {
            "type": "reference",
            "id": block_id(article["slug"], "reference", position),
            "value": {
                "title": title,
                "publisher": reference.get("publisher", ""),
                "url": reference["url"],
                "published": reference.get("date"),
            },
        }
        for position, (reference, title) in enumerate(
            zip(article["references"], article[language]["reference_titles"], strict=True)
        )
    ]
