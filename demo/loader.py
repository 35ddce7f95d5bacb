"""Builds the demo site from the files in this folder (FORMAT.md describes them).

Japanese is the source language. Every other language is made through wagtail-localize, the
way a translator would (``demo.translating``), so the translation records behind the demo are
real and the translation editor opens on them. Articles are built by ``demo.articles``.

Running it again changes nothing that already exists.
"""

import json
from datetime import datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.models import Locale, Site
from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource

from core.models import FooterLinks
from home.models import ContactPage, HomePage, StandardPage
from news.models import ArticleAuthor, ArticleIndexPage, ArticlePage, Author, Category
from translations.machine import OfflineTranslator
from translations.operations import PageTranslator

from . import images, translating
from .articles import DemoContentError, article_page, block_id

DEMO_DIR = Path(__file__).resolve().parent
SOURCE_LANGUAGE = "ja"


def site_address(url):
    """``(hostname, port)`` of a Wagtail site whose pages' URLs start with ``url``.

    Wagtail writes a site's URLs from these two alone: ``https`` for port 443, ``http`` for
    any other, the port left out for 80 and 443. An address it cannot write is refused rather
    than served under another one.
    """
    try:
        parts = urlsplit(url)
        scheme, hostname, port = parts.scheme, parts.hostname, parts.port
    except ValueError:  # a port that is no number, or a broken IPv6 address
        scheme = hostname = port = None
    if scheme not in ("http", "https") or not hostname or ":" in hostname:
        raise DemoContentError(
            f"The demo's address must be an http(s) URL with a host name or IPv4 address "
            f"and an optional port (http://127.0.0.1:8000), not {url!r}."
        )
    port = port or (443 if scheme == "https" else 80)
    if (scheme == "https") != (port == 443):
        raise DemoContentError(
            f"A Wagtail site is served over https on port 443 only, and over http on any "
            f"other port: {url!r} cannot be the demo's address."
        )
    return hostname, port


class DemoLoader:
    def __init__(self, stdout=None, site_url=None):
        """``site_url``: where readers reach the site (``WAGTAILADMIN_BASE_URL`` unless
        given): the default site's host name and port, which every absolute URL of the
        site's pages starts with."""
        self.stdout = stdout
        self.site_url = site_url or settings.WAGTAILADMIN_BASE_URL
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
        # The address comes first: the change feed keeps each page's URL as it was when the
        # page was published, and the API writes every other URL from the same site.
        site.site_name = self.site_data["site_name"]
        site.hostname, site.port = site_address(self.site_url)
        site.save()
        self.log(f"The site's address: {site.root_url}/")
        if home.title != source["home"]["title"]:
            home.title = source["home"]["title"]
            home.tagline = source["tagline"]
            home.intro = source["home"]["intro"]
            home.save_revision().publish()
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

    def create_article(self, index, article):
        """Create the article and its translations; 1 if the article itself was new.

        An existing article only gets the translations it lacks, so that translations added
        to the demo later reach an already loaded site.
        """
        page = ArticlePage.objects.child_of(index).filter(slug=article["slug"]).first()
        created = page is None
        if created:
            page = article_page(article, SOURCE_LANGUAGE, self.images)
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
            for correction in page.corrections.all():
                correction.locale = index.locale
            index.add_child(instance=page)
            page.save_revision().publish()
        for language in article:
            if language in self.locales and language != SOURCE_LANGUAGE:
                self.translate(page, language, article_page(article, language, self.images))
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

    # -- translation ---------------------------------------------------------

    def translate_everywhere(self, instance, build):
        for language in self.locales:
            if language != SOURCE_LANGUAGE:
                self.translate(instance, language, build(language))

    def translate(self, instance, language, translated):
        translating.translate(instance, self.locales[language], translated)


# The demo admin's name: Wagtail's account settings require one, so an admin without it
# cannot change their admin language until they have typed it.
ADMIN_FIRST_NAME = "Demo"
ADMIN_LAST_NAME = "Editor"


def create_admin(username, password):
    """Create the demo superuser unless it exists; True when it was created.

    An existing demo admin without a name (from an older demo) gets the demo's.
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        User.objects.create_superuser(
            username=username,
            email=f"{username}@ukiyo.example",
            password=password,
            first_name=ADMIN_FIRST_NAME,
            last_name=ADMIN_LAST_NAME,
        )
        return True
    if not (user.first_name and user.last_name):
        user.first_name = user.first_name or ADMIN_FIRST_NAME
        user.last_name = user.last_name or ADMIN_LAST_NAME
        user.save(update_fields=["first_name", "last_name"])
    return False
