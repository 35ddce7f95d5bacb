"""An archive of articles at newsroom scale, written straight into the database.

``manage.py seed_archive --articles N`` adds N article pages (originals in Japanese and their
translations) under each language's All Articles page, with publication dates spread over the
last ten years. Their content is the demo's: each story takes the sections of one demo article
(a random selection, in order) in every language that article is written in, so translations
are real translations, linked by one ``translation_key``, and every citation points at the
story's reference list. Categories, authors, tags and images are the demo's too.

Rows are inserted in bulk, a few thousand at a time: the tree paths are computed here, as
treebeard would (each story's page comes after the last child of the list page in its
language), the parents' ``numchild`` is updated once, the search index is filled through the
search backend's ``add_bulk``, and each page gets the ``page.published`` change a frontend
syncing the change feed would have read. No revisions: a seeded page is what its row says,
as a page imported from another system would be; editing one in the admin starts its history.
No webhooks are sent (they follow saves, which this does not make), and no wagtail-localize
records: in the Translations dashboard the seeded translations are pages written in their
language, live.
"""

import random
import uuid
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.utils import timezone, translation
from taggit.models import Tag
from wagtail.models import Locale, Page, Site
from wagtail.search import index
from wagtail.search.backends import get_search_backends

from changes import clock
from changes.models import ContentChange
from changes.signals import is_public, restricted_paths
from news.models import (
    ArticleAuthor,
    ArticleIndexPage,
    ArticlePage,
    ArticlePageTag,
    Author,
    Category,
)

from .articles import article_body, article_references
from .loader import SOURCE_LANGUAGE, DemoLoader

# Seeded slugs: "archive-", the publication day, part of the translation key. The same slug in
# every language (as the demo's), unique under a list page, and how --clear finds them.
SLUG_PATTERN = r"^archive-[0-9]{8}-[0-9a-f]{8}$"
# Rows per INSERT; a story's pages and their child rows go in the same chunk.
CHUNK = 2000
# How likely a story is translated into English, and into each other language its demo
# article is written in.
ENGLISH_SHARE = 0.9
OTHER_SHARE = 0.5
YEARS = 10


class ArchiveError(Exception):
    pass


class ArchiveSeeder:
    def __init__(self, stdout=None, seed=None):
        self.stdout = stdout
        self.random = random.Random(seed)  # noqa: S311 (made-up content, no secret)
        self.loader = DemoLoader()
        self.now = timezone.now()
        self.contents = {}
        self.section_cache = {}

    def log(self, message):
        if self.stdout is not None:
            self.stdout.write(message)

    # -- what the archive hangs on -------------------------------------------

    def prepare(self):
        """The list pages, snippets, images and tags in every language, created if missing."""
        self.locales = {
            code: Locale.objects.get_or_create(language_code=code)[0]
            for code, _name in settings.LANGUAGES
        }
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise ArchiveError("There is no default site: run migrate, then load_demo.")
        source_index = (
            ArticleIndexPage.objects.filter(locale=self.locales[SOURCE_LANGUAGE])
            .descendant_of(site.root_page)
            .first()
        )
        if source_index is None:
            raise ArchiveError("The default site has no All Articles page: run load_demo first.")
        self.indexes = {}
        for code, locale in self.locales.items():
            index = source_index.get_translation_or_none(locale)
            if index is None:
                index = source_index.copy_for_translation(locale, copy_parents=True)
                index.save_revision().publish()
            self.indexes[code] = index.specific
        # Whether readers of each list can see it (a view restriction hides it and its pages).
        restricted = restricted_paths(list(self.indexes.values()))
        self.public = {code: is_public(page, restricted) for code, page in self.indexes.items()}
        self.list_urls = {code: page.full_url for code, page in self.indexes.items()}
        self.categories = self.snippets_by_slug(Category, "categories")
        self.authors = self.snippets_by_slug(Author, "authors")
        self.loader.create_images()
        self.images = self.loader.images
        self.lead_images = list(self.images.values())
        self.tags = {}
        for article in self.loader.articles:
            for name in article.get("tags", []):
                if name not in self.tags:
                    self.tags[name] = Tag.objects.get_or_create(name=name)[0]
        self.content_type = ContentType.objects.get_for_model(ArticlePage)
        # The demo articles whose content exists in every language a story may be in.
        self.stories = [article for article in self.loader.articles if SOURCE_LANGUAGE in article]

    def snippets_by_slug(self, model, key):
        """``{(slug, language): snippet}``; the demo's, made in every language if missing."""
        data = self.loader.site_data[key]
        fields = DemoLoader.category_fields if model is Category else DemoLoader.author_fields
        existing = {
            (snippet.slug, snippet.locale.language_code): snippet
            for snippet in model.objects.select_related("locale").filter(slug__in=list(data))
        }
        for slug, languages in data.items():
            source = existing.get((slug, SOURCE_LANGUAGE))
            translation_key = source.translation_key if source else uuid.uuid4()
            missing = [
                model(
                    locale=locale, translation_key=translation_key, **fields(slug, languages[code])
                )
                for code, locale in self.locales.items()
                if (slug, code) not in existing and code in languages
            ]
            for snippet in model.objects.bulk_create(missing):
                existing[slug, snippet.locale.language_code] = snippet
        return existing

    # -- seeding ---------------------------------------------------------------

    def seed(self, count):
        """Add ``count`` article pages; returns how many stories they tell."""
        self.prepare()
        self.next_step = {code: self.last_step(index) for code, index in self.indexes.items()}
        added = defaultdict(int)
        made = stories = 0
        while made < count:
            batch = []
            while made < count and len(batch) < CHUNK:
                pages = self.story(count - made)
                batch.append(pages)
                made += len(pages)
            with transaction.atomic():
                self.insert(batch, added)
            # With DEBUG on, Django keeps the SQL of each query: megabytes per bulk insert.
            connection.queries_log.clear()
            stories += len(batch)
            self.log(f"  {made} of {count} article pages")
        with transaction.atomic():
            for code, number in added.items():
                index = self.indexes[code]
                Page.objects.filter(pk=index.pk).update(numchild=index.numchild + number)
            # API readers' Last-Modified moves, once.
            clock.move_forward(connection.alias)
        return stories

    @staticmethod
    def last_step(index):
        last = index.get_children().order_by("-path").values_list("path", flat=True).first()
        return Page._str2int(last[-Page.steplen :]) if last else 0

    def story(self, room):
        """The pages of one story: the original and up to ``room - 1`` translations."""
        number = self.random.randrange(len(self.stories))
        article = self.stories[number]
        languages = [SOURCE_LANGUAGE]
        for code in article:
            if code in self.locales and code != SOURCE_LANGUAGE:
                share = ENGLISH_SHARE if code == "en" else OTHER_SHARE
                if self.random.random() < share:
                    languages.append(code)
        languages = languages[:room]
        key = uuid.uuid4()
        published = self.now - timedelta(seconds=self.random.randrange(YEARS * 365 * 86400))
        updated = None
        if self.random.random() < 0.1:
            updated = min(published + timedelta(hours=self.random.randrange(1, 72)), self.now)
        slug = f"archive-{published:%Y%m%d}-{key.hex[:8]}"
        sections = len(article[SOURCE_LANGUAGE]["sections"])
        keep = tuple(
            sorted(
                self.random.sample(range(sections), self.random.randint(min(2, sections), sections))
            )
        )
        heading = self.random.choice(keep)
        lead_image = self.random.choice(self.lead_images)
        tags = [self.tags[name] for name in article.get("tags", [])]
        pages = []
        for code in languages:
            content = article[code]
            title = f"{content['title']}: {content['sections'][heading]['heading']}"[:255]
            index = self.indexes[code]
            pages.append(
                SeededPage(
                    locale=self.locales[code],
                    translation_key=key,
                    title=title,
                    slug=slug,
                    url_path=f"{index.url_path}{slug}/",
                    depth=index.depth + 1,
                    published=published,
                    updated=updated,
                    fields={
                        "subtitle": content.get("subtitle", ""),
                        "summary": content["summary"],
                        "lead_image_id": lead_image.pk,
                        "lead_image_caption": content.get("lead_caption", ""),
                        "lead_image_credit": content.get("lead_credit", ""),
                        "display_date": published,
                        "updated_date": updated,
                        "category_id": getattr(
                            self.categories.get((article["category"], code)), "pk", None
                        ),
                        "featured": False,
                    },
                    content=self.content(number, code, keep),
                    authors=[
                        self.authors[slug_, code]
                        for slug_ in article["authors"]
                        if (slug_, code) in self.authors
                    ],
                    tags=tags,
                )
            )
        return pages

    def content(self, number, code, keep):
        """The body and references of a story in a language, made once and shared.

        Block ids come from the demo article and the block's place in it: unique within a
        page, which is all they need to be.
        """
        cache_key = (number, code, keep)
        if cache_key not in self.contents:
            sections, references = self.sections(number, code)
            body = [sections[position][0] for position in keep]
            # What the search backend reads of the body: each block's texts, joined with
            # ", " by modelsearch's indexer.
            texts = [text for position in keep for text in sections[position][1]]
            self.contents[cache_key] = {
                "body": BODY.get_db_prep_save(body, connection),
                "references": references,
                "body_text": ", ".join(texts),
            }
        return self.contents[cache_key]

    def sections(self, number, code):
        """Each section of a demo article in a language as stored, with its searchable texts."""
        cache_key = (number, code)
        if cache_key not in self.section_cache:
            article = self.stories[number]
            body = BODY.to_python(article_body(article, code, self.images))
            stored = body.get_prep_value()
            # Searchable content as the page's own language reads it (store.document too).
            with translation.override(code):
                sections = [
                    (stored[position], child.block.get_searchable_content(child.value))
                    for position, child in enumerate(body)
                ]
            references = REFERENCES.to_python(article_references(article, code))
            self.section_cache[cache_key] = (
                sections,
                REFERENCES.get_db_prep_save(references, connection),
            )
        return self.section_cache[cache_key]

    def insert(self, stories, added):
        pages = [page for story in stories for page in story]
        for page in pages:
            code = page.locale.language_code
            self.next_step[code] += 1
            added[code] += 1
            page.path = Page._get_path(self.indexes[code].path, page.depth, self.next_step[code])
        # Page rows first (bulk_create sets their ids), then the article rows that extend them.
        rows = Page.objects.bulk_create([page.page_row(self.content_type) for page in pages])
        for page, row in zip(pages, rows, strict=True):
            page.pk = row.pk
        insert_article_rows(pages)
        links = []
        tagged = []
        for story in stories:
            # One translation key per author link, shared by the link's translations.
            keys = [uuid.uuid4() for _ in story[0].authors]
            for page in story:
                links += [
                    {
                        "page_id": page.pk,
                        "author_id": author.pk,
                        "sort_order": order,
                        "locale_id": page.locale.pk,
                        "translation_key": keys[order] if order < len(keys) else uuid.uuid4(),
                    }
                    for order, author in enumerate(page.authors)
                ]
                tagged += [{"content_object_id": page.pk, "tag_id": tag.pk} for tag in page.tags]
        insert_values(ArticleAuthor, links)
        insert_values(ArticlePageTag, tagged)
        documents = [SearchDocument(page) for page in pages]
        for backend in get_search_backends():
            backend.add_bulk(ArticlePage, documents)
        now = timezone.now()
        insert_values(
            ContentChange,
            [published_change(page, self.list_urls, self.public, now) for page in pages],
        )

    # -- clearing -----------------------------------------------------------

    def clear(self):
        """Delete every seeded page (and what hangs on it); returns how many."""
        seeded = Page.objects.filter(
            content_type=ContentType.objects.get_for_model(ArticlePage), slug__regex=SLUG_PATTERN
        )
        ids = list(seeded.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            with transaction.atomic():
                Page.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
        return len(ids)


class SeededPage:
    """One seeded article page, before and after its rows are written."""

    def __init__(self, *, fields, content, authors, tags, published, updated, **page):
        self.page = page
        self.fields = fields
        self.content = content
        self.authors = authors
        self.tags = tags
        self.published = published
        self.updated = updated
        self.pk = None
        self.path = None

    def __getattr__(self, name):
        try:
            return self.__dict__["page"][name]
        except KeyError:
            raise AttributeError(name) from None

    def page_row(self, content_type):
        changed = self.updated or self.published
        return Page(
            path=self.path,
            numchild=0,
            draft_title=self.page["title"],
            content_type=content_type,
            live=True,
            has_unpublished_changes=False,
            first_published_at=self.published,
            last_published_at=changed,
            latest_revision_created_at=changed,
            **self.page,
        )


BODY = ArticlePage._meta.get_field("body")
REFERENCES = ArticlePage._meta.get_field("references")
# Prepared once per story and language (``ArchiveSeeder.content``).
PREPARED = {"body", "references"}


def insert_article_rows(pages):
    """INSERT the rows of the article table (not the page table it extends) for ``pages``.

    Django's ``bulk_create`` refuses models with a parent table: the page rows are inserted
    first, and this writes the article rows.
    """
    rows = []
    for page in pages:
        row = {"page_ptr_id": page.pk, **page.fields}
        row.update((name, Prepared(page.content[name])) for name in PREPARED)
        rows.append(row)
    insert_values(ArticlePage, rows)


class Prepared:
    """A value already converted for the database (made once, shared by many rows)."""

    def __init__(self, value):
        self.value = value


def insert_values(model, rows):
    """INSERT ``rows`` (dicts by attribute name, all with the same keys) into ``model``'s own
    table, each value converted by its field as a save would: ``bulk_create`` without the
    model instances, which cost more than the rows here."""
    if not rows:
        return
    fields = [
        next(field for field in model._meta.local_concrete_fields if field.attname == name)
        for name in rows[0]
    ]
    quote = connection.ops.quote_name
    # Names from the model, quoted by the database's own rules; values as parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    values = [
        [
            value.value
            if isinstance(value, Prepared)
            else field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row.values(), strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


class _NoModelFields:
    @staticmethod
    def get_field(name):
        raise FieldDoesNotExist(name)


class SearchDocument:
    """What the search backend reads of a seeded article: the values of its search fields.

    The backend reads a search field that is no model field as an attribute, so the body's
    text, the same for every story made of the same sections, is extracted once
    (``ArchiveSeeder.content``) instead of once per page and field; the full-text index
    (``core.fulltext``) also reads the page's language and date. The index rows are those
    ``update_index`` would write (a test compares them).
    """

    _meta = _NoModelFields()

    def __init__(self, page):
        self.pk = page.pk
        self.locale_id = page.locale.pk
        self.display_date = page.fields.get("display_date") or page.published
        self.title = page.title
        self.subtitle = page.fields["subtitle"]
        self.summary = page.fields["summary"]
        self.body = page.content["body_text"]

    @staticmethod
    def get_search_fields():
        return [
            field
            for field in ArticlePage.get_search_fields()
            if isinstance(field, index.SearchField | index.AutocompleteField)
        ]


def published_change(page, list_urls, public, now):
    """The ``page.published`` row a publication writes (``changes.signals``), made in bulk."""
    return {
        "created_at": now,
        "event": ContentChange.Event.PAGE_PUBLISHED.value,
        "object_type": ArticlePage._meta.label,
        "object_id": page.pk,
        "translation_key": page.translation_key,
        "locale": page.locale.language_code,
        "data": {
            "title": page.title,
            "url_path": page.url_path,
            "html_url": f"{list_urls[page.locale.language_code]}{page.slug}/",
            "public": public[page.locale.language_code],
        },
    }
