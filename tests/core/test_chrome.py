"""The header and footer of every page: links that exist and lead to real pages."""

import re

import pytest
from wagtail.models import Site

from core.models import FooterLinks
from tests.conftest import translate_page
from tests.factories import StandardPageFactory


@pytest.fixture
def legal_pages(home, english_tree, locales):
    """Contact, terms, privacy and cookie pages in Japanese and English, chosen in the footer."""
    pages = {}
    for name, slug, title in [
        ("contact_page", "contact", "お問い合わせ"),
        ("terms_page", "terms", "利用規約"),
        ("privacy_page", "privacy", "プライバシーポリシー"),
        ("cookie_page", "cookies", "Cookieポリシー"),
    ]:
        page = StandardPageFactory(parent=home, slug=slug, title=title)
        translate_page(page, locales["en"], title=f"{slug.title()} (en)")
        pages[name] = page
    FooterLinks.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults=pages
    )
    return pages


def links(html, landmark):
    region = re.search(rf"<{landmark}\b.*?</{landmark}>", html, re.S).group(0)
    return re.findall(r'<a[^>]+href="([^"#]+)', region)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_header_and_footer_link_leads_to_a_real_page(client, legal_pages, language):
    html = client.get(f"/{language}/").content.decode()
    header, footer = links(html, "header"), links(html, "footer")
    assert f"/{language}/articles/" in header
    # The search box of the header searches the reader's language.
    assert re.search(rf'<form class="site-search" action="/{language}/search/"', html)
    assert f"/{language}/accounts/signup/" in header
    assert f"/{language}/accounts/login/?next=/{language}/" in header
    for slug in ("contact", "terms", "privacy", "cookies"):
        assert f"/{language}/{slug}/" in footer, slug
    for url in set(header + footer):
        assert client.get(url).status_code == 200, url


def test_footer_links_follow_the_readers_language(client, legal_pages):
    html = client.get("/en/").content.decode()
    footer = re.search(r"<footer\b.*?</footer>", html, re.S).group(0)
    assert "/en/terms/" in footer and "/ja/terms/" not in footer


def test_a_footer_page_without_translation_is_left_out_not_linked_to_another_language(
    client, home, english_tree, locales
):
    terms = StandardPageFactory(parent=home, slug="terms", title="利用規約")
    FooterLinks.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"terms_page": terms}
    )
    assert "/ja/terms/" in client.get("/ja/").content.decode()
    footer = re.search(r"<footer\b.*?</footer>", client.get("/en/").content.decode(), re.S)
    assert "/terms/" not in footer.group(0)


def test_account_pages_are_in_the_site_layout_and_not_indexed(client, home):
    html = client.get("/ja/accounts/signup/").content.decode()
    assert '<html lang="ja"' in html
    assert 'class="template-account"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'type="email"' in html and 'type="password"' in html


def test_language_menu_on_a_plain_page_falls_back_to_the_language_home(
    client, home, english_tree, locales
):
    terms = StandardPageFactory(parent=home, slug="terms", title="利用規約")
    html = client.get(terms.url).content.decode()
    menu = re.search(r'<nav class="language-nav".*?</nav>', html, re.S).group(0)
    assert 'href="/en/" lang="en" hreflang="en"' in menu
    assert "opens the home page" in menu or "ホームページ" in menu or "トップ" in menu
