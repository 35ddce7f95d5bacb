"""Home and standard pages: where they live, the site root, and editing them in the admin."""

from django.urls import reverse
from django.utils.html import strip_tags
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import ContactPage, HomePage, StandardPage
from news.models import ArticleIndexPage, ArticlePage
from tests.factories import StandardPageFactory, admin_add_url


class TestPageTree(WagtailPageTestCase):
    def test_home_pages_live_only_under_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanCreateAt(Page, HomePage)
        for parent in (HomePage, StandardPage, ArticleIndexPage, ArticlePage):
            self.assertCanNotCreateAt(parent, HomePage)

    def test_home_page_holds_the_article_index_standard_and_contact_pages(self):
        self.assertAllowedSubpageTypes(HomePage, {ArticleIndexPage, StandardPage, ContactPage})

    def test_standard_pages_live_under_a_home_or_standard_page(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        for parent in (Page, ArticleIndexPage, ArticlePage):
            self.assertCanNotCreateAt(parent, StandardPage)

    def test_standard_pages_hold_only_standard_pages(self):
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})


def test_the_migrated_home_page_is_the_default_sites_root(locales):
    site = Site.objects.get(is_default_site=True)

    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.locale == locales["ja"]
    assert home.live
    assert home.depth == 2


def test_admin_creates_the_home_page_of_a_new_language(admin_client, root_page, locales):
    data = nested_form_data(
        {
            "title": "Accueil",
            "slug": "accueil",
            "tagline": "L'actualité en neuf langues",
            "intro": rich_text("<p>Bienvenue.</p>"),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(admin_add_url(HomePage, root_page, locale="fr"), data)

    assert response.status_code == 302
    home = HomePage.objects.get(slug="accueil")
    assert home.live
    assert home.locale == locales["fr"]
    assert home.get_parent().pk == root_page.pk
    assert home.tagline == "L'actualité en neuf langues"
    assert strip_tags(home.intro) == "Bienvenue."


def test_admin_creates_a_standard_page_under_another(admin_client, home):
    parent = StandardPageFactory(parent=home, title="About")
    data = nested_form_data(
        {
            "title": "Terms of service",
            "slug": "terms",
            "summary": "The rules of the site.",
            "body": streamfield(
                [
                    ("heading", "Purpose"),
                    ("paragraph", rich_text("<p>These terms apply to every reader.</p>")),
                ]
            ),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(admin_add_url(StandardPage, parent), data)

    assert response.status_code == 302
    page = StandardPage.objects.get(slug="terms")
    assert page.live
    assert page.get_parent().pk == parent.pk
    assert page.summary == "The rules of the site."
    assert [block.block_type for block in page.body] == ["heading", "paragraph"]
    assert page.body[0].value == "Purpose"
    assert strip_tags(page.body[1].value.source) == "These terms apply to every reader."


def test_standard_page_body_shows_in_the_admin_edit_view(admin_client, home):
    page = StandardPageFactory(parent=home, title="Terms of service")

    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Terms of service"' in html
    assert "Purpose" in html
    assert "These terms apply." in html
