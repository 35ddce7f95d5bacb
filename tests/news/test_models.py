"""Article page tree, derived values (numbers, citations, domains, authors) and validation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage, StandardPage
from news.blocks import CitationsBlock, ReferenceBlock
from news.models import ArticleAuthor, ArticleIndexPage, ArticlePage
from tests.conftest import translate_page
from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorFactory,
    CategoryFactory,
    add_author,
    list_block,
    paragraph,
    quote_block,
    reference,
    rich_body,
    section,
)

# Reverse alphabetical, so that the inline order differs from Author's default ordering.
AUTHOR_NAMES = ["Watanabe", "Tanaka", "Suzuki", "Sato", "Ito"]


@pytest.fixture
def english():
    """Messages compared in English; the site's default language is Japanese."""
    with translation.override("en"):
        yield


class TestPageTree(WagtailPageTestCase):
    def test_article_index_lives_only_under_a_home_page(self):
        self.assertAllowedParentPageTypes(ArticleIndexPage, {HomePage})
        self.assertCanCreateAt(HomePage, ArticleIndexPage)
        for parent in (Page, StandardPage, ArticleIndexPage, ArticlePage):
            self.assertCanNotCreateAt(parent, ArticleIndexPage)

    def test_article_index_holds_only_articles(self):
        self.assertAllowedSubpageTypes(ArticleIndexPage, {ArticlePage})

    def test_articles_live_only_in_an_article_index(self):
        self.assertAllowedParentPageTypes(ArticlePage, {ArticleIndexPage})
        self.assertCanCreateAt(ArticleIndexPage, ArticlePage)
        for parent in (Page, HomePage, StandardPage, ArticlePage):
            self.assertCanNotCreateAt(parent, ArticlePage)

    def test_articles_have_no_children(self):
        self.assertAllowedSubpageTypes(ArticlePage, set())


def test_one_article_index_per_home_page(home, locales):
    assert ArticleIndexPage.can_create_at(home)
    ArticleIndexPageFactory(parent=home)
    assert not ArticleIndexPage.can_create_at(home)
    # Every language tree gets its own.
    assert ArticleIndexPage.can_create_at(translate_page(home, locales["en"], title="Home"))


def test_sections_are_numbered_in_order(index):
    article = ArticlePageFactory(
        parent=index, body=[section("Landing"), section("Samples"), section("Next steps")]
    )

    assert [(n, s.value["heading"]) for n, s in article.numbered_sections()] == [
        (1, "Landing"),
        (2, "Samples"),
        (3, "Next steps"),
    ]


def test_citations_follow_the_cited_order_and_drop_unknown_numbers(index):
    article = ArticlePageFactory(
        parent=index,
        references=[reference(1, "phys.org"), reference(2, "apnews.com"), reference(3, "nasa.gov")],
    )

    cited = article.citations([3, 1, 9, 0])

    assert [(n, ref["title"], ref.domain) for n, ref in cited] == [
        (3, "Source number 3", "nasa.gov"),
        (1, "Source number 1", "phys.org"),
    ]
    assert article.citations([]) == []


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.nasa.gov/news/artemis", "nasa.gov"),
        ("https://phys.org/news/1", "phys.org"),
        ("https://WWW.Example.COM:8443/x", "example.com"),
        ("https://www2.example.com/", "www2.example.com"),
        ("/relative/path", ""),
        ("", ""),
    ],
)
def test_reference_domain(url, domain):
    value = ReferenceBlock().to_python({"title": "A source", "url": url})

    assert value.domain == domain


@pytest.mark.parametrize(
    ("typed", "numbers"),
    [(" 1, 3 ,3", [1, 3]), ("2", [2]), ("", []), (None, [])],
)
def test_citations_block_parses_what_the_editor_typed(typed, numbers):
    assert CitationsBlock().clean(typed) == numbers


# "0" and "-1" have messages of their own (tests/news/test_editor.py).
@pytest.mark.parametrize("typed", ["one, two", "1,,2", "1 3", "1.5"])
def test_citations_block_rejects_anything_but_positive_numbers(english, typed):
    with pytest.raises(ValidationError) as error:
        CitationsBlock().clean(typed)

    assert error.value.messages == [
        "Enter source numbers from the reference list separated by commas, e.g. 1, 3."
    ]


@pytest.mark.parametrize(
    ("content", "references", "message"),
    [
        (
            [paragraph(sources=[2])],
            [reference(1)],
            "The body cites source 2 but the reference list has 1 source.",
        ),
        (
            [quote_block(sources=[1])],
            [],
            "The body cites source 1 but the reference list has 0 sources.",
        ),
        (
            [list_block(sources=[1]), paragraph(sources=[3, 1])],
            [reference(1), reference(2)],
            "The body cites source 3 but the reference list has 2 sources.",
        ),
    ],
    ids=["paragraph", "quote", "highest-counts"],
)
def test_citing_a_missing_source_is_refused(english, index, content, references, message):
    article = ArticlePageFactory(parent=index)
    article.body = [section(content=content)]
    article.references = references

    with pytest.raises(ValidationError) as error:
        article.clean()

    assert error.value.message_dict == {"body": [message]}


def test_a_nested_list_item_citing_a_missing_source_is_refused(english, index):
    nested = list_block()
    nested["value"]["items"][0]["value"]["children"][0]["value"]["sources"] = [5]
    article = ArticlePageFactory(parent=index)
    article.body = [section(content=[nested])]

    with pytest.raises(ValidationError) as error:
        article.clean()

    assert "cites source 5" in error.value.message_dict["body"][0]


def test_citations_within_the_reference_list_are_valid(index):
    ArticlePageFactory(parent=index, body=rich_body(2)).clean()


@pytest.mark.parametrize("count", [1, 5])
def test_authors_keep_the_inline_order_in_two_queries(index, django_assert_num_queries, count):
    article = ArticlePageFactory(parent=index)
    authors = [AuthorFactory(name=name) for name in AUTHOR_NAMES[:count]]
    for order, author in enumerate(authors):
        add_author(article, author, order)
    article = ArticlePage.objects.get(pk=article.pk)

    with django_assert_num_queries(2):
        assert article.authors == authors


def test_authors_and_tags_cost_no_queries_after_with_details(index, django_assert_num_queries):
    article = ArticlePageFactory(parent=index)
    authors = [AuthorFactory(name=name) for name in AUTHOR_NAMES]
    for order, author in enumerate(authors):
        add_author(article, author, order)
    article.tags.add("moon", "space")
    article.save()
    article = ArticlePage.objects.with_details().get(pk=article.pk)

    with django_assert_num_queries(0):
        assert article.authors == authors
        assert sorted(article.tag_names) == ["moon", "space"]


def test_authors_of_a_preview_come_from_the_unsaved_form(index, django_assert_num_queries):
    first, second = AuthorFactory(name="Ito"), AuthorFactory(name="Abe")
    article = ArticlePageFactory(parent=index)
    article.article_authors = [ArticleAuthor(author=first), ArticleAuthor(author=second)]

    with django_assert_num_queries(0):
        assert article.authors == [first, second]


def test_tag_names(index):
    article = ArticlePageFactory(parent=index)
    article.tags.add("moon", "space")
    article.save()

    assert sorted(ArticlePage.objects.get(pk=article.pk).tag_names) == ["moon", "space"]
    assert ArticlePageFactory(parent=index).tag_names == []


@pytest.mark.parametrize("factory", [CategoryFactory, AuthorFactory])
def test_slugs_are_unique_within_a_language(factory, locales):
    factory(slug="space", locale=locales["ja"])
    factory(slug="space", locale=locales["en"])  # the same slug in another language is fine

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(slug="space", locale=locales["ja"])


def test_a_translation_keeps_sections_and_sources(english_tree, index, locales):
    article = ArticlePageFactory(parent=index, title="月面着陸", body=rich_body(3))

    translation = translate_page(article, locales["en"], title="Moon landing")

    assert translation.get_parent().pk == english_tree[1].pk
    assert translation.locale == locales["en"]
    assert [n for n, _ in translation.numbered_sections()] == [1, 2, 3]
    assert list(translation.cited_numbers()) == list(article.cited_numbers())
    assert [(n, ref.domain) for n, ref in translation.citations([2, 1])] == [
        (2, "apnews.com"),
        (1, "phys.org"),
    ]
