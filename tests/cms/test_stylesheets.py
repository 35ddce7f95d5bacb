"""Each page type links the shared stylesheet and its own (cms/static/css/), nothing else.

A page that lost its own sheet would render unstyled parts; one that linked every sheet would
make every reader wait for rules it never applies again.
"""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.factories import ArticlePageFactory

SHEETS = {"ukiyo.css", "listing.css", "article.css", "forms.css"}


def stylesheets(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404), url
    content = response.content.decode()
    head = content.split("</head>", 1)[0]
    return re.findall(r'<link rel="stylesheet" href="/static/css/([^"]+)">', head)


@pytest.fixture
def article(index):
    return ArticlePageFactory(parent=index, title="月面着陸", slug="moon")


def test_every_page_type_links_the_shared_sheet_then_its_own(client, home, index, article):
    expected = {
        "/ja/": ["ukiyo.css", "listing.css"],
        index.url: ["ukiyo.css", "listing.css"],
        f"{index.url}?category=space": ["ukiyo.css", "listing.css"],
        article.url: ["ukiyo.css", "article.css"],
        "/ja/search/?q=月": ["ukiyo.css", "listing.css"],
        "/ja/accounts/login/": ["ukiyo.css", "forms.css"],
        "/ja/accounts/signup/": ["ukiyo.css", "forms.css"],
        "/ja/cookie-settings/": ["ukiyo.css", "forms.css"],
        "/ja/nowhere/": ["ukiyo.css"],
    }
    for url, sheets in expected.items():
        assert stylesheets(client, url) == sheets, url


def test_the_sheets_exist_and_each_rule_of_a_page_type_is_in_one_sheet():
    selectors = {}
    for name in SHEETS:
        path = finders.find(f"css/{name}")
        assert path, name
        with open(path, encoding="utf-8") as sheet:
            css = re.sub(r"/\*.*?\*/", "", sheet.read(), flags=re.S)
        for selector in re.findall(r"^(\.[a-z][\w-]*) \{", css, re.M):
            selectors.setdefault(selector, set()).add(name)
    # A component's base rule lives in exactly one sheet (its page type's, or the shared one).
    for selector in (".card", ".article__title", ".cite-chip", ".consent-banner", ".contact-form"):
        assert len(selectors[selector]) == 1, (selector, selectors[selector])
    assert selectors[".card"] == {"listing.css"}
    assert selectors[".cite-chip"] == {"article.css"}
    assert selectors[".consent-banner"] == {"ukiyo.css"}
    assert selectors[".consent-switch"] == {"forms.css"}
