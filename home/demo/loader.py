"""Builds the demo site from the files in this folder.

Japanese is the source language. Every other language is made through wagtail-localize, the
way a translator would: a ``TranslationSource`` of the Japanese object, a ``Translation`` per
language, a ``StringTranslation`` for each extracted segment, then ``save_target``. So the
translation records behind the demo are real and the translation editor opens on them.

Running it again changes nothing that already exists.
"""

import json
import uuid
from datetime import datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Locale, Site
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments

from cms.models import FooterLinks
from home.models import ContactPage, HomePage, StandardPage
from news.models import ArticleAuthor, ArticleIndexPage, ArticlePage, Author, Category

from . import images

DEMO_DIR = Path(__file__).resolve().parent
SOURCE_LANGUAGE = "ja"
# Stable block ids: the same article always gets the same ids, in every language.
BLOCK_NAMESPACE = uuid.UUID("6f1e3b7c-1d2a-4c55-9a7e-3c0b8f1e2d40")


class DemoContentError(Exception):
    pass


def block_id(*parts):
    return str(uuid.uuid5(BLOCK_NAMESPACE, "/".join(str(part) for part in parts)))


def as_rich_text(text):
    text = text.strip()
    return text if text.startswith("<p") else f"<p>{text}</p>"


class DemoLoader:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.site_data = json.loads((DEMO_DIR / "site.json").read_text(encoding="utf-8"))
        self.articles = [
            self.read_article(path) for path in sorted((DEMO_DIR / "articles").glob("*.json"))
        ]
        self.images = {}

    @staticmethod
    def read_article(path):
        """An article file with its translations from ``translations/<language>/<same name>``."""
        article = json.loads(path.read_text(encoding="utf-8"))
        for translation in sorted((DEMO_DIR / "translations").glob(f"*/{path.name}")):
            language = translation.parent.name
            article[language] = json.loads(translation.read_text(encoding="utf-8"))
        return article

    def log(self, message):
        if self.stdout is not None:
            self.stdout.write(message)

    # -- entry point --------------------------------------------------------

    def load(self):
        self.locales = self.create_locales()
        self.create_images()
        home = self.create_home()
        index = self.create_article_index(home)
        legal = self.create_legal_pages(home)
        self.set_footer_links(home, legal)
        self.categories = self.create_snippets(
            Category, self.site_data["categories"], self.category_fields
        )
        self.authors = self.create_snippets(Author, self.site_data["authors"], self.author_fields)
        created = 0
        for article in self.articles:
            created += self.create_article(index, article)
        if created:
            self.show_translation_states(index)
        self.log(f"Demo content ready: {len(self.articles)} articles ({created} new).")

    # -- languages and site -------------------------------------------------

    def create_locales(self):
        locales = {}
        for code, _name in settings.LANGUAGES:
            locales[code], _ = Locale.objects.get_or_create(language_code=code)
        return locales

    def texts(self, language):
        return self.site_data["languages"][language]

    def create_home(self):
        source = self.texts(SOURCE_LANGUAGE)
        site = Site.objects.filter(is_default_site=True).first()
        home = site.root_page.specific if site else None
        if not isinstance(home, HomePage):
            raise DemoContentError(
                "The default site's root page is not a HomePage: run migrate first."
            )
        if home.title != source["home"]["title"]:
            home.title = source["home"]["title"]
            home.tagline = source["tagline"]
            home.intro = source["home"]["intro"]
            home.save_revision().publish()
        site.site_name = self.site_data["site_name"]
        if site.hostname == "localhost" and site.port == 80:
            site.port = 8000  # where `make demo` serves it, so absolute URLs work
        site.save()
        self.translate_everywhere(
            home,
            lambda language: HomePage(
                title=self.texts(language)["home"]["title"],
                slug=home.slug,
                tagline=self.texts(language)["tagline"],
                intro=self.texts(language)["home"]["intro"],
            ),
        )
        return home

    def create_article_index(self, home):
        texts = self.texts(SOURCE_LANGUAGE)["index"]
        index = ArticleIndexPage.objects.child_of(home).first()
        if index is None:
            index = ArticleIndexPage(title=texts["title"], slug="articles", intro=texts["intro"])
            home.add_child(instance=index)
            index.save_revision().publish()
        self.translate_everywhere(
            index,
            lambda language: ArticleIndexPage(
                title=self.texts(language)["index"]["title"],
                slug=index.slug,
                intro=self.texts(language)["index"]["intro"],
            ),
        )
        return index

    def standard_body(self, blocks, key):
        return [
            {
                "type": block["type"],
                "value": block["text"],
                "id": block_id("legal", key, position),
            }
            for position, block in enumerate(blocks)
        ]

    def legal_page(self, key, texts, slug):
        """The unsaved legal page ``key`` written in ``texts``: the contact page has the form."""
        fields = {
            "title": texts["title"],
            "slug": slug,
            "summary": texts["summary"],
            "body": self.standard_body(texts["body"], key),
        }
        if key == "contact":
            return ContactPage(thank_you=texts.get("thank_you", ""), **fields)
        return StandardPage(**fields)

    def create_legal_pages(self, home):
        pages = {}
        for key, source in self.texts(SOURCE_LANGUAGE)["legal"].items():
            model = ContactPage if key == "contact" else StandardPage
            page = home.get_children().filter(slug=source["slug"]).specific().first()
            if page is not None and not isinstance(page, model):
                raise DemoContentError(
                    f"The demo's /{source['slug']}/ page is a {page._meta.verbose_name}, not a "
                    f"{model._meta.verbose_name}: this database was loaded by an older version "
                    "of the demo. Run `make reset-demo` to start again with a fresh demo "
                    "(it deletes db.sqlite3 and media/)."
                )
            if page is None:
                page = self.legal_page(key, source, source["slug"])
                home.add_child(instance=page)
                page.save_revision().publish()
            self.translate_everywhere(
                page,
                lambda language, key=key, page=page: self.legal_page(
                    key, self.texts(language)["legal"][key], page.slug
                ),
            )
            pages[key] = page
        return pages

    def set_footer_links(self, home, legal):
        site = Site.objects.get(root_page=home)
        footer = FooterLinks.for_site(site)
        footer.contact_page = legal.get("contact")
        footer.terms_page = legal.get("terms")
        footer.privacy_page = legal.get("privacy")
        footer.cookie_page = legal.get("cookies")
        footer.save()

    # -- images --------------------------------------------------------------

    def image_keys(self):
        keys = set()
        for article in self.articles:
            keys.add(article["lead_image"])
            for section in article[SOURCE_LANGUAGE]["sections"]:
                for block in section["blocks"]:
                    if block["type"] == "image":
                        keys.add(block["image"])
        return sorted(keys)

    def create_images(self):
        Image = get_image_model()
        for key in self.image_keys():
            title = f"{key.replace('-', ' ').capitalize()} (illustration)"
            image = Image.objects.filter(title=title).first()
            if image is None:
                image = Image(title=title, description=images.ALT_TEXT[key])
                image.file = ImageFile(BytesIO(images.render(key)), name=f"demo-{key}.png")
                image.save()
            self.images[key] = image

    # -- snippets ------------------------------------------------------------

    @staticmethod
    def category_fields(key, texts):
        return {"name": texts["name"], "slug": key, "description": texts["description"]}

    @staticmethod
    def author_fields(key, texts):
        return {"name": texts["name"], "slug": key, "role": texts["role"], "bio": texts["bio"]}

    def create_snippets(self, model, data, fields):
        by_key = {}
        for key, languages in data.items():
            instance = model.objects.filter(slug=key, locale=self.locales[SOURCE_LANGUAGE]).first()
            if instance is None:
                instance = model(
                    locale=self.locales[SOURCE_LANGUAGE], **fields(key, languages[SOURCE_LANGUAGE])
                )
                instance.save()
            self.translate_everywhere(
                instance,
                lambda language, key=key, languages=languages: model(
                    **fields(key, languages[language])
                ),
            )
            by_key[key] = instance
        return by_key

    # -- articles ------------------------------------------------------------

    def article_body(self, article, language):
        body = []
        for s, section in enumerate(article[language]["sections"]):
            content = []
            for b, block in enumerate(section["blocks"]):
                content.append(
                    {
                        "type": block["type"],
                        "id": block_id(article["slug"], s, b),
                        "value": self.block_value(article, block, (s, b)),
                    }
                )
            body.append(
                {
                    "type": "section",
                    "id": block_id(article["slug"], s),
                    "value": {"heading": section["heading"], "content": content},
                }
            )
        return body

    def block_value(self, article, block, position):
        kind = block["type"]
        if kind == "paragraph":
            return {"text": as_rich_text(block["text"]), "sources": self.sources(block)}
        if kind == "quote":
            return {
                "text": block["text"],
                "attribution": block.get("attribution", ""),
                "sources": self.sources(block),
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
                    "image": self.images[block["image"]].pk,
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
                    {
                        "type": "item",
                        "id": block_id(article["slug"], *position, i),
                        "value": {
                            "text": as_rich_text(item["text"]),
                            "sources": self.sources(item),
                            "children": [
                                {
                                    "type": "item",
                                    "id": block_id(article["slug"], *position, i, c),
                                    "value": {
                                        "text": as_rich_text(child["text"]),
                                        "sources": self.sources(child),
                                    },
                                }
                                for c, child in enumerate(item.get("children", []))
                            ],
                        },
                    }
                    for i, item in enumerate(block["items"])
                ],
            }
        raise DemoContentError(f"{article['slug']}: unknown block type {kind!r}")

    @staticmethod
    def sources(block):
        # The files count from 0; editors and readers count sources from 1.
        return [index + 1 for index in block.get("cites", [])]

    def article_references(self, article, language):
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

    def article_page(self, article, language):
        content = article[language]
        return ArticlePage(
            title=content["title"],
            slug=article["slug"],
            subtitle=content.get("subtitle", ""),
            summary=content["summary"],
            lead_image_caption=content.get("lead_caption", ""),
            lead_image_credit=content.get("lead_credit", ""),
            body=self.article_body(article, language),
            references=self.article_references(article, language),
        )

    def create_article(self, index, article):
        """Create the article and its translations; 1 if the article itself was new.

        An existing article only gets the translations it lacks, so that translations added
        to the demo later reach an already loaded site.
        """
        page = ArticlePage.objects.child_of(index).filter(slug=article["slug"]).first()
        created = page is None
        if created:
            page = self.article_page(article, SOURCE_LANGUAGE)
            page.lead_image = self.images[article["lead_image"]]
            page.display_date = datetime.fromisoformat(article["published"])
            if article.get("updated"):
                page.updated_date = datetime.fromisoformat(article["updated"])
            page.featured = bool(article.get("featured"))
            page.category = self.categories[article["category"]]
            page.article_authors = [
                ArticleAuthor(author=self.authors[key], sort_order=order)
                for order, key in enumerate(article["authors"])
            ]
            page.tags.add(*article.get("tags", []))
            index.add_child(instance=page)
            page.save_revision().publish()
        for language in article:
            if language in self.locales and language != SOURCE_LANGUAGE:
                self.translate(page, language, self.article_page(article, language))
        # Versions published by this run were "first published" at the article's display
        # date, not when the demo was loaded; versions from an earlier run keep their dates.
        page.get_translations(inclusive=True).filter(
            first_published_at__gt=page.display_date
        ).update(first_published_at=page.display_date, last_published_at=page.display_date)
        return int(created)

    def show_translation_states(self, index):
        """Leave a few translations mid-way, so the translation dashboard shows every state.

        Run once, when the articles are first created: a machine-translated draft waiting
        for review, a translation half done, and live translations made outdated by a
        correction of the Japanese original.
        """
        from translations.machine import OfflineTranslator
        from translations.operations import PageTranslator

        articles = {page.slug: page for page in ArticlePage.objects.child_of(index).specific()}
        machine = OfflineTranslator({})

        # A draft: machine-translated into French, not yet reviewed or published.
        draft = articles.get("kyoto-cherry-blossom-records")
        if draft:
            PageTranslator([self.locales["fr"]], machine_translator=machine).translate_page(draft)

        # In progress: a Spanish translation with only its first half of segments done.
        started = articles.get("perovskite-solar-japan")
        if started:
            spanish = self.locales["es"]
            PageTranslator([spanish], machine_translator=machine).translate_page(started)
            source = TranslationSource.objects.get(
                object_id=started.translation_key, locale=started.locale
            )
            segments = list(StringSegment.objects.filter(source=source).order_by("order"))
            undone = segments[len(segments) // 2 :]
            StringTranslation.objects.filter(
                locale=spanish,
                translation_of__in=[segment.string_id for segment in undone],
                context__in=[segment.context_id for segment in undone],
            ).delete()

        # Outdated: the Japanese caption is corrected after the translations were published.
        corrected = articles.get("slim-pinpoint-moon-landing")
        if corrected and "SLIM" not in corrected.lead_image_caption:
            corrected.lead_image_caption = corrected.lead_image_caption.replace(
                "小型着陸機", "小型着陸機SLIM", 1
            )
            corrected.save_revision().publish()

    # -- translation through wagtail-localize ---------------------------------

    def translate_everywhere(self, instance, build):
        for language in self.locales:
            if language != SOURCE_LANGUAGE:
                self.translate(instance, language, build(language))

    def translate(self, instance, language, translated):
        """Translate ``instance`` into ``language`` with the texts of the unsaved ``translated``.

        ``translated`` is the same object written in the target language (same block ids); its
        segments are matched to the source's by content path and position.
        """
        locale = self.locales[language]
        if instance.get_translations().filter(locale=locale).exists():
            return
        source, _ = TranslationSource.get_or_create_from_instance(instance)
        translation, _ = Translation.objects.get_or_create(
            source=source, target_locale=locale, defaults={"enabled": True}
        )
        targets = self.strings_by_path(extract_segments(translated))
        segments = (
            StringSegment.objects.filter(source=source)
            .select_related("context", "string")
            .order_by("order")
        )
        seen = {}
        with transaction.atomic():
            for segment in segments:
                path = segment.context.path
                position = seen.get(path, 0)
                seen[path] = position + 1
                try:
                    text = targets[path][position]
                except (KeyError, IndexError) as error:
                    raise DemoContentError(
                        f"{instance}: no {language} text for segment {path!r} #{position + 1} "
                        f"({segment.string.data[:60]!r})"
                    ) from error
                StringTranslation.objects.update_or_create(
                    translation_of=segment.string,
                    locale=locale,
                    context=segment.context,
                    defaults={
                        "data": text,
                        "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                        "tool_name": "",
                        "has_error": False,
                        "field_error": "",
                    },
                )
        translation.save_target(publish=True)

    @staticmethod
    def strings_by_path(segments):
        by_path = {}
        for segment in segments:
            if isinstance(segment, StringSegmentValue):
                by_path.setdefault(segment.path, []).append(segment.string.data)
        return by_path


def create_admin(username, password):
    """Create the demo superuser unless it exists; True when it was created."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        User.objects.create_superuser(
            username=username, email=f"{username}@ukiyo.example", password=password
        )
        return True
    return False
