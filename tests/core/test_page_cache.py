"""The page cache (core.pagecache): anonymous readers' pages from the cache, fresh after every
change they show, never another reader's page."""

import gzip
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from accounts.models import SavedArticle
from consent.models import ConsentSettings, ConsentTexts
from core import pagecache
from core.models import FooterLinks
from home.models import ContactPage
from news.models import ArticlePage
from tests.accounts.conftest import make_reader
from tests.conftest import translate_page, without_nonce
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    CategoryFactory,
    StandardPageFactory,
    add_author,
)

HEADER = "X-Page-Cache"
CSP = "Content-Security-Policy"
LANGUAGES = ["ja", "th"]


@pytest.fixture
def site(home, index, locales):
    """Home, All Articles, one article with a category and an author, and a plain page, in
    Japanese, Thai and Hindi (the article only in Japanese and Thai)."""
    pages = {}
    for code in ("ja", "th", "hi"):
        if code == "ja":
            code_home, code_index = home, index
        else:
            code_home = translate_page(home, locales[code], title=f"Home {code}")
            code_index = translate_page(index, locales[code], title=f"All Articles {code}")
        pages[code] = {"home": code_home, "index": code_index}
    for code in ("ja", "th"):
        category = CategoryFactory(name=f"Space {code}", slug="space", locale=locales[code])
        author = AuthorFactory(name=f"Writer {code}", locale=locales[code])
        pages[code].update(category=category, author=author)
    article = ArticlePageFactory(
        parent=index, title="Moon ja", slug="moon", category=pages["ja"]["category"]
    )
    add_author(article, pages["ja"]["author"])
    pages["ja"]["article"] = article
    th_article = translate_page(
        article, locales["th"], title="Moon th", category=pages["th"]["category"]
    )
    th_article.refresh_from_db()
    th_article.article_authors.all().delete()
    add_author(th_article, pages["th"]["author"])
    pages["th"]["article"] = th_article
    plain = StandardPageFactory(parent=home, title="About ja", slug="about")
    pages["ja"]["plain"] = plain
    pages["th"]["plain"] = translate_page(plain, locales["th"], title="About th")
    return pages


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code < 500, url
    return response


def html(response):
    """The page's HTML; a search result's marks taken off (``<mark>Moon</mark> ja``)."""
    return re.sub(r"</?mark>", "", response.content.decode())


def cached_twice(client, url):
    """The second answer, from the cache, after a first that rendered and kept the page."""
    first = get(client, url)
    assert first[HEADER] == "miss", (url, first.status_code)
    second = get(client, url)
    assert second[HEADER] == "hit", url
    return first, second


def publish(page, **changes):
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return page


def nonce_of(response):
    found = re.search(r"'nonce-([^']+)'", response[CSP])
    return found.group(1)


# ---------------------------------------------------------------------------
# Served from the cache, without a query
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "url",
    [
        "{home}",
        "{index}",
        "{index}?category=space",
        "{index}?page=2",
        "{article}",
        "{plain}",
        "/{language}/search/?q=Moon",
    ],
)
def test_the_second_request_is_served_from_the_cache_without_a_query(
    client, site, language, url, settings, django_assert_num_queries
):
    settings.UKIYO_ARTICLES_PER_PAGE = 1
    pages = site[language]
    ArticlePageFactory(parent=pages["index"], title=f"Second {language}")
    url = url.format(
        language=language,
        **{name: pages[name].url for name in ("home", "index", "article", "plain")},
    )
    first = get(client, url)
    assert first.status_code == 200 and first[HEADER] == "miss"
    with django_assert_num_queries(0):
        second = get(client, url)
    assert second.status_code == 200 and second[HEADER] == "hit"
    assert without_nonce(second.content) == without_nonce(first.content)
    assert f'lang="{language}"' in html(second)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", ["home", "article"])
def test_a_hit_for_a_gzip_client_is_the_page_compressed_with_its_own_nonce(
    client, site, language, page
):
    url = site[language][page].url
    gzip_client = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
    plain = get(client, url)
    answers = [get(client, url, **gzip_client) for _ in range(2)]

    for answer in answers:
        assert answer[HEADER] == "hit"
        assert answer["Content-Encoding"] == "gzip"
        assert {"Accept-Encoding", "Cookie"} <= {name.strip() for name in answer["Vary"].split(",")}
        assert int(answer["Content-Length"]) == len(answer.content)
        # gzip.decompress checks the length and CRC-32 of what it unpacks.
        unpacked = gzip.decompress(answer.content).decode()
        assert without_nonce(unpacked) == without_nonce(html(plain))
        nonce = nonce_of(answer)
        assert unpacked.count(f'nonce="{nonce}"') == html(plain).count(f'nonce="{nonce_of(plain)}"')
        assert unpacked.count(f'nonce="{nonce}"') >= 1
    assert nonce_of(answers[0]) != nonce_of(answers[1])
    assert "Content-Encoding" not in plain


def test_head_requests_are_answered_from_the_cache(client, site):
    url = site["ja"]["article"].url
    get(client, url)
    assert client.head(url)[HEADER] == "hit"


@pytest.mark.parametrize("page_cache", [True, False], ids=["page-cache-on", "page-cache-off"])
def test_the_site_chrome_and_consent_data_come_from_the_cache_for_an_uncached_page(
    client, site, settings, page_cache
):
    settings.UKIYO_PAGE_CACHE = page_cache
    get(client, site["ja"]["home"].url)
    with CaptureQueriesContext(connection) as queries:
        response = get(client, site["ja"]["plain"].url)
    assert response.get(HEADER) == ("miss" if page_cache else None)
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "core_footerlinks" not in tables
    assert "consent_consenttexts" not in tables
    assert "consent_consentsettings" not in tables


def test_with_the_page_cache_off_every_page_is_rendered(client, site, settings):
    settings.UKIYO_PAGE_CACHE = False
    url = site["ja"]["article"].url
    for _ in range(2):
        response = get(client, url)
        assert HEADER not in response
        assert "public" not in response.get("Cache-Control", "")


# ---------------------------------------------------------------------------
# Fresh after every change a page shows
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_republished_article_is_fresh_on_its_page_home_and_lists(client, site, language):
    pages = site[language]
    urls = [pages["article"].url, pages["home"].url, pages["index"].url]
    urls.append(pages["index"].url + "?category=space")
    for url in urls:
        cached_twice(client, url)

    publish(pages["article"], title=f"Corrected {language}")

    for url in urls:
        response = get(client, url)
        assert response[HEADER] == "miss", url
        assert f"Corrected {language}" in html(response), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unpublished_article_is_gone_from_home_and_its_url(client, site, language):
    pages = site[language]
    url, home_url = pages["article"].url, pages["home"].url
    cached_twice(client, url)
    cached_twice(client, home_url)

    pages["article"].unpublish()

    assert get(client, url).status_code == 404
    assert f"Moon {language}" not in html(get(client, home_url))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_deleted_article_is_gone(client, site, language):
    pages = site[language]
    url, index_url = pages["article"].url, pages["index"].url
    cached_twice(client, url)
    cached_twice(client, index_url)

    pages["article"].delete()

    assert get(client, url).status_code == 404
    assert f"Moon {language}" not in html(get(client, index_url))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_moved_page_leaves_its_old_url_and_its_links_follow(client, site, language):
    pages = site[language]
    target = StandardPageFactory(parent=pages["home"], title=f"Section {language}")
    linking = StandardPageFactory(
        parent=pages["home"],
        title=f"Links {language}",
        body=[
            {
                "type": "paragraph",
                "value": f'<p><a linktype="page" id="{pages["plain"].pk}">About</a></p>',
            }
        ],
    )
    old_url = pages["plain"].url
    cached_twice(client, old_url)
    assert f'href="{old_url}"' in html(cached_twice(client, linking.url)[1])

    pages["plain"].move(target, pos="last-child")
    pages["plain"].refresh_from_db()
    new_url = pages["plain"].url

    assert new_url != old_url
    # Wagtail's redirects app sends the old URL to the new one.
    moved = get(client, old_url)
    assert moved.status_code == 301 and moved["Location"] == new_url
    assert get(client, new_url).status_code == 200
    assert f'href="{new_url}"' in html(get(client, linking.url))


@pytest.mark.parametrize("language", LANGUAGES)
def test_scheduled_publishing_and_expiry(client, site, language, locales):
    pages = site[language]
    home_url = pages["home"].url
    cached_twice(client, home_url)
    scheduled = ArticlePageFactory(
        parent=pages["index"],
        live=False,
        title=f"Scheduled {language}",
        display_date=timezone.now() - timedelta(hours=2),
    )
    scheduled.go_live_at = timezone.now() + timedelta(hours=1)
    revision = scheduled.save_revision()
    revision.publish()  # approved for later: not live yet
    assert f"Scheduled {language}" not in html(get(client, home_url))
    assert get(client, home_url)[HEADER] == "hit"

    past = timezone.now() - timedelta(minutes=1)
    revision.refresh_from_db()
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.content["display_date"] = past.isoformat()
    revision.save()
    call_command("publish_scheduled")

    assert type(scheduled).objects.get(pk=scheduled.pk).live
    assert f"Scheduled {language}" in html(get(client, home_url))
    article_url = pages["article"].url
    cached_twice(client, article_url)
    type(pages["article"]).objects.filter(pk=pages["article"].pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("publish_scheduled")

    assert get(client, article_url).status_code == 404
    assert f"Moon {language}" not in html(get(client, home_url))


@pytest.mark.parametrize("language", ["th", "hi"])
def test_publishing_a_translation_changes_every_translations_language_menu(
    client, site, language, locales
):
    article = ArticlePageFactory(parent=site["ja"]["index"], title="Eclipse ja", slug="eclipse")
    ja_url = article.url
    if language == "hi":
        th_url = translate_page(article, locales["th"], title="Eclipse th").url
        cached_twice(client, th_url)
    cached_twice(client, ja_url)
    translation = translate_page(article, locales[language], title=f"Eclipse {language}")

    for url in [ja_url] + ([th_url] if language == "hi" else []):
        response = get(client, url)
        assert response[HEADER] == "miss"
        assert f'hreflang="{language}" href="http://testserver{translation.url}"' in html(response)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_renamed_category_shows_on_its_articles_and_lists(client, site, language):
    pages = site[language]
    urls = [pages["article"].url, pages["home"].url, pages["index"].url]
    for url in urls:
        cached_twice(client, url)

    pages["category"].name = f"Astronomy {language}"
    pages["category"].save()

    for url in urls:
        assert f"Astronomy {language}" in html(get(client, url)), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_renamed_author_shows_on_their_articles(client, site, language):
    pages = site[language]
    url = pages["article"].url
    cached_twice(client, url)

    pages["author"].name = f"Renamed {language}"
    pages["author"].save()

    assert f"Renamed {language}" in html(get(client, url))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_article_appears_on_home_and_lists_of_its_language(client, site, language):
    pages = site[language]
    urls = [pages["home"].url, pages["index"].url, f"/{language}/search/?q=Fresh"]
    for url in urls:
        cached_twice(client, url)

    ArticlePageFactory(parent=pages["index"], title=f"Fresh {language}")

    for url in urls:
        assert f"Fresh {language}" in html(get(client, url)), url


def test_with_the_page_cache_off_the_cached_footer_is_fresh_after_a_change(client, site, settings):
    settings.UKIYO_PAGE_CACHE = False
    url = site["th"]["article"].url
    get(client, url)
    FooterLinks.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"terms_page": site["ja"]["plain"]}
    )
    footer = re.search(r"<footer\b.*?</footer>", html(get(client, url)), re.S).group(0)
    assert f'href="{site["th"]["plain"].url}"' in footer


@pytest.mark.parametrize("language", LANGUAGES)
def test_footer_links_and_legal_pages_are_fresh_on_every_page(client, site, language, locales):
    pages = site[language]
    urls = [pages["home"].url, pages["article"].url]
    for url in urls:
        cached_twice(client, url)

    FooterLinks.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"terms_page": site["ja"]["plain"]}
    )

    terms_url = pages["plain"].url
    for url in urls:
        footer = re.search(r"<footer\b.*?</footer>", html(get(client, url)), re.S).group(0)
        assert f'href="{terms_url}"' in footer, url
    assert get(client, pages["home"].url)[HEADER] == "hit"

    publish(pages["plain"], slug=f"terms-{language}")
    pages["plain"].refresh_from_db()

    footer = re.search(r"<footer\b.*?</footer>", html(get(client, pages["home"].url)), re.S)
    assert f'href="{pages["plain"].url}"' in footer.group(0)
    assert terms_url != pages["plain"].url


@pytest.mark.parametrize("language", LANGUAGES)
def test_cookie_banner_texts_and_scripts_are_fresh(client, site, language, locales):
    url = site[language]["home"].url
    cached_twice(client, url)
    default_site = Site.objects.get(is_default_site=True)

    ConsentTexts.objects.create(
        site=default_site, locale=locales[language], title=f"Biscuits {language}"
    )
    assert f"Biscuits {language}" in html(get(client, url))
    assert get(client, url)[HEADER] == "hit"

    consent = ConsentSettings.for_site(default_site)
    consent.policy_version = 7
    consent.scripts = [
        {
            "type": "script",
            "value": {
                "name": "Counter",
                "category": "analytics",
                "code": "console.log(1)",
                "cookies": "_counter",
            },
        }
    ]
    consent.save()

    response = get(client, url)
    assert 'data-version="7"' in html(response)
    assert "_counter" in html(response)


# ---------------------------------------------------------------------------
# Never another reader's page
# ---------------------------------------------------------------------------


def test_a_logged_in_reader_gets_their_own_page_never_a_cached_one(client, site):
    url = site["ja"]["article"].url
    cached_twice(client, url)
    reader = make_reader()
    SavedArticle.objects.create(user=reader, article=site["ja"]["article"])
    client.force_login(reader)

    response = get(client, url)

    assert response[HEADER] == "bypass"
    assert "private" in response["Cache-Control"]
    assert 'class="save-article__form"' in html(response)
    assert "csrfmiddlewaretoken" in html(response)
    client.logout()
    anonymous = get(client, url)
    assert anonymous[HEADER] == "hit"
    assert 'class="save-article__form"' not in html(anonymous)
    assert "csrfmiddlewaretoken" not in html(anonymous)


@pytest.mark.parametrize("language", LANGUAGES)
def test_readers_get_their_own_save_button_in_a_kept_article(client, site, language):
    """The article's kept part (core.pagecache.fragment) is the same for everyone; the save
    button inside it is rendered for each request."""
    article = site[language]["article"]
    cached_twice(client, article.url)
    saver, other = make_reader(), make_reader("other@example.com")
    SavedArticle.objects.create(user=saver, article=article)

    client.force_login(saver)
    saved = html(get(client, article.url))
    client.force_login(other)
    with CaptureQueriesContext(connection) as queries:
        unsaved = html(get(client, article.url))
    client.logout()
    anonymous = html(get(client, article.url))

    assert "save-button--remove" in saved and f"/saved/{article.pk}/" in saved
    assert "save-button--remove" not in unsaved and 'class="save-article__form"' in unsaved
    tokens = [
        re.search(r'save-article__form.*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S)
        for page in (saved, unsaved)
    ]
    assert all(tokens) and tokens[0][1] != tokens[1][1]  # each request's own
    for page in (saved, unsaved):
        assert f"Moon {language}" in page and f"Writer {language}" in page
    assert 'class="save-article__form"' not in anonymous and "csrfmiddlewaretoken" not in anonymous
    # The other reader's article came from the kept part: its authors were not read again.
    assert not any('FROM "news_articleauthor"' in query["sql"] for query in queries)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_logged_in_reader_sees_every_change_of_a_kept_article_at_once(client, site, language):
    pages = site[language]
    url = pages["article"].url
    client.force_login(make_reader())
    assert f"Moon {language}" in html(get(client, url))

    publish(pages["article"], title=f"Corrected {language}", summary=f"Lead {language}")
    page = html(get(client, url))
    assert f"Corrected {language}" in page and f"Lead {language}" in page
    assert f'<meta property="og:title" content="Corrected {language}">' in page

    pages["author"].name = f"Renamed {language}"
    pages["author"].save()
    pages["category"].name = f"Astronomy {language}"
    pages["category"].save()
    page = html(get(client, url))
    assert f"Renamed {language}" in page and f"Astronomy {language}" in page


def test_a_preview_or_a_revision_never_reads_nor_keeps_the_kept_parts(editor, site):
    """A preview renders a draft under the live revision's number: the kept parts of the live
    page must not show in it, nor it in them."""
    article = publish(site["ja"]["article"])
    reader = Client()
    assert "Moon ja" in html(get(reader, article.url))
    article.refresh_from_db()
    old_revision = article.live_revision
    publish(article, title="Second ja")
    article.refresh_from_db()  # as the editor's form: the draft names the live revision
    article.title = "Draft ja"
    article.save_revision()

    draft = html(get(editor, reverse("wagtailadmin_pages:view_draft", args=[article.pk])))
    old = html(
        get(
            editor, reverse("wagtailadmin_pages:revisions_view", args=[article.pk, old_revision.pk])
        )
    )

    assert "Draft ja" in draft and "Second ja" not in draft
    assert "Moon ja" in old and "Second ja" not in old
    live = html(get(reader, article.url))
    assert "Second ja" in live and "Draft ja" not in live and "Moon ja" not in live


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_kept_route_follows_moves_restrictions_and_unpublishing(client, site, language, settings):
    """With no page cache (a logged-in reader) the route of a path comes from the cache
    (core.sites): it is stale as soon as a page on the way or the page itself changes."""
    settings.UKIYO_PAGE_CACHE = False
    pages = site[language]
    article, index = pages["article"], pages["index"]
    url = article.url
    assert get(client, url).status_code == 200
    assert get(client, url).status_code == 200  # routed from the cache

    index.slug = f"news-{language}"
    index.save_revision().publish()
    article.refresh_from_db()
    assert article.url != url
    assert get(client, url).status_code in (301, 404)  # a redirect to the new URL, if any
    assert f"Moon {language}" in html(get(client, article.url))

    url = article.url
    PageViewRestriction.objects.create(page=index, restriction_type="password", password="x")
    restricted = get(client, url)
    assert f"Moon {language}" not in html(restricted) and "password" in html(restricted)
    PageViewRestriction.objects.filter(page=index).delete()
    assert f"Moon {language}" in html(get(client, url))

    article.unpublish()
    assert get(client, url).status_code == 404


def test_each_request_gets_its_own_page_from_the_process_own_copy_of_a_route(
    client, site, settings
):
    """A process's own copy of a kept route serves many requests: what one request reads
    into its page (the authors) must not be what the next one shows after a change."""
    settings.UKIYO_PAGE_CACHE = False
    settings.UKIYO_PAGE_CACHE_LOCAL_ENTRIES = 10
    pages = site["ja"]
    url = pages["article"].url
    for _ in range(3):
        assert "Writer ja" in html(get(client, url))

    pages["author"].name = "Renamed ja"
    pages["author"].save()

    assert "Renamed ja" in html(get(client, url))


def test_a_change_made_while_a_page_renders_never_stays_in_its_kept_parts(
    client, site, settings, monkeypatch
):
    """The kept parts are made from the page read when the request routed it: a change that
    commits after that, while the request renders, must leave them stale."""
    settings.UKIYO_PAGE_CACHE = False
    pages = site["ja"]
    url = pages["article"].url
    assert "Space ja" in html(get(client, url))  # its route and kept parts are kept
    get_context = ArticlePage.get_context

    def renamed_meanwhile(page, request, *args, **kwargs):
        monkeypatch.setattr(ArticlePage, "get_context", get_context)
        pages["category"].name = "Astronomy ja"  # an editor, while the reader's page renders
        pages["category"].save()
        return get_context(page, request, *args, **kwargs)

    monkeypatch.setattr(ArticlePage, "get_context", renamed_meanwhile)
    get(client, url)  # rendered from the route read before the rename

    for _ in range(2):
        page = html(get(client, url))
        assert "Astronomy ja" in page and "Space ja" not in page


def test_live_pages_under_a_moved_page_that_is_not_live_leave_their_old_url(client, site, settings):
    settings.UKIYO_PAGE_CACHE = False
    pages = site["ja"]
    section = StandardPageFactory(parent=pages["home"], title="Section ja", slug="section")
    child = StandardPageFactory(parent=section, title="Child ja", slug="child")
    old_url = child.url
    section.unpublish()  # the section only: the page under it stays live
    assert "Child ja" in html(get(client, old_url))

    section.refresh_from_db()
    section.move(pages["plain"], pos="last-child")
    child.refresh_from_db()

    assert child.url != old_url
    moved = get(client, old_url)
    assert moved.status_code == 404 or moved["Location"] == child.url
    assert "Child ja" in html(get(client, child.url))


@pytest.mark.parametrize("path", ["/ja/%00/", "/ja/articles/a%00b/", "/ja/%E3%81/"])
def test_a_path_no_page_can_have_is_a_404(client, site, path):
    assert client.get(path).status_code == 404


def test_kept_parts_refuse_holes_they_cannot_fill():
    """``kept`` takes a page and a name; an ``unkept`` hole inside a loop, or in a template a
    kept part includes, is an error, never a part kept with one reader's HTML in it."""
    with pytest.raises(TemplateSyntaxError):
        Template('{% load ukiyo %}{% kept "article" %}x{% endkept %}')
    with pytest.raises(TemplateSyntaxError):
        Template(
            '{% load ukiyo %}{% kept page "a" %}{% for x in xs %}'
            "{% unkept %}{{ x }}{% endunkept %}{% endfor %}{% endkept %}"
        )
    assert Template("{% load ukiyo %}{% unkept %}hello{% endunkept %}").render(Context()) == "hello"
    included = Template("{% load ukiyo %}{% unkept %}{{ user }}{% endunkept %}")
    with pytest.raises(TemplateSyntaxError):
        included.render(Context({"_keeping": True, "user": "someone"}))


def test_a_logged_in_readers_page_is_never_stored(client, site):
    url = site["ja"]["home"].url
    client.force_login(make_reader())
    assert get(client, url)[HEADER] == "bypass"
    client.logout()
    client.cookies.clear()
    assert get(client, url)[HEADER] == "miss"


def test_form_pages_are_never_stored(client, site, home):
    contact = home.add_child(instance=ContactPage(title="Contact", slug="contact"))
    for url in (contact.url, "/ja/accounts/login/", "/ja/cookie-settings/"):
        for _ in range(2):
            client.cookies.clear()
            response = get(client, url)
            assert response.status_code == 200
            assert response[HEADER] == "bypass", url
            assert "csrfmiddlewaretoken" in html(response)


def test_the_consent_choice_is_not_in_the_page(client, site):
    url = site["ja"]["home"].url
    first = get(client, url)
    client.cookies["ukiyo_consent"] = "1.analytics.abc"
    second = get(client, url)
    assert second[HEADER] == "hit"
    assert without_nonce(second.content) == without_nonce(first.content)


def test_a_message_bypasses_the_cache(client, site):
    url = site["ja"]["home"].url
    cached_twice(client, url)
    client.cookies["messages"] = "anything"
    assert get(client, url)[HEADER] == "bypass"


# ---------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------


def test_every_hit_gets_its_own_nonce_named_in_its_header(client, site):
    url = site["ja"]["article"].url
    get(client, url)
    nonces = []
    for _ in range(2):
        response = get(client, url)
        assert response[HEADER] == "hit"
        nonce = nonce_of(response)
        page_nonces = set(re.findall(r'nonce="([^"]+)"', html(response)))
        assert page_nonces == {nonce}
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def headers_of(response):
    """A response's headers but those new in every answer (or, for ``Vary``, in any order)."""
    new_each_time = {CSP, "Date", HEADER, "Content-Length", "Vary", "X-Request-ID"}
    headers = {name: value for name, value in response.items() if name not in new_each_time}
    headers["Vary"] = {part.strip() for part in response.get("Vary", "").split(",")}
    return headers


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("encoding", ["", "gzip"], ids=["plain", "gzip"])
@pytest.mark.parametrize("page", ["home", "article", "plain"])
def test_a_hit_carries_the_headers_of_the_page_it_was_kept_from(
    client, site, language, encoding, page
):
    # A hit answers before the language, session and compression middleware: whatever they
    # say of a page (its language, that it varies with Accept-Encoding) it says itself.
    url = site[language][page].url
    first, second = cached_twice(client, url)
    if encoding:
        second = get(client, url, HTTP_ACCEPT_ENCODING=encoding)
        assert second[HEADER] == "hit" and second["Content-Encoding"] == "gzip"
        assert without_nonce(gzip.decompress(second.content)) == without_nonce(first.content)
        assert headers_of(second) == {**headers_of(first), "Content-Encoding": "gzip"}
    else:
        assert headers_of(second) == headers_of(first)
    assert second["Content-Language"] == language
    assert {"Accept-Encoding", "Cookie"} <= headers_of(second)["Vary"]


@pytest.mark.parametrize("looked_up_further_out", [True, False])
def test_hits_need_no_middleware_further_in(client, site, settings, looked_up_further_out):
    # With CachedPageMiddleware (production), a hit never reaches sessions, authentication
    # or the view; without it, PageCacheMiddleware answers hits itself.
    if not looked_up_further_out:
        settings.MIDDLEWARE = [
            name for name in settings.MIDDLEWARE if name != "core.middleware.CachedPageMiddleware"
        ]
    url = site["ja"]["article"].url
    first, second = cached_twice(client, url)
    assert without_nonce(second.content) == without_nonce(first.content)
    assert hasattr(second.wsgi_request, "user") is not looked_up_further_out
    assert hasattr(second.wsgi_request, "session") is not looked_up_further_out


def test_cache_control_for_shared_caches_and_browsers(client, site, settings):
    settings.UKIYO_PAGE_CACHE_MAX_AGE = 30
    settings.UKIYO_PAGE_CACHE_S_MAXAGE = 600
    settings.UKIYO_PAGE_CACHE_STALE_WHILE_REVALIDATE = 90
    for response in cached_twice(client, site["ja"]["home"].url):
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert directives == {
            "public",
            "max-age=30",
            "s-maxage=600",
            "stale-while-revalidate=90",
        }
        assert "Cookie" in response["Vary"]


def test_error_pages_are_never_cached(client, site):
    response = get(client, "/ja/no-such-page/")
    assert response.status_code == 404
    assert response[HEADER] == "bypass"
    assert "no-store" in response["Cache-Control"]
    assert get(client, "/ja/no-such-page/")[HEADER] == "bypass"


# ---------------------------------------------------------------------------
# The key
# ---------------------------------------------------------------------------


def test_tracking_parameters_are_ignored_and_left_out_of_the_page(client, site):
    url = site["ja"]["home"].url
    tracked = get(client, url + "?utm_source=news&fbclid=abc")
    assert tracked[HEADER] == "miss"
    assert "utm_source" not in html(tracked) and "fbclid" not in html(tracked)
    assert get(client, url)[HEADER] == "hit"
    assert get(client, url + "?gclid=x&utm_campaign=y")[HEADER] == "hit"


def test_parameter_order_does_not_matter(client, site, settings):
    settings.UKIYO_ARTICLES_PER_PAGE = 1
    index = site["ja"]["index"].url
    assert get(client, index + "?page=1&category=space")[HEADER] == "miss"
    assert get(client, index + "?category=space&page=1")[HEADER] == "hit"


def test_unknown_or_repeated_parameters_bypass_the_cache(client, site):
    url = site["ja"]["home"].url
    cached_twice(client, url)
    assert get(client, url + "?preview=1")[HEADER] == "bypass"
    assert get(client, url + "?page=1&page=2")[HEADER] == "bypass"


def test_bad_input_never_fails_and_never_poisons_the_cache(client, site):
    index = site["ja"]["index"].url
    huge = get(client, index + f"?page={2**63}")
    assert huge.status_code == 200
    assert get(client, index + "?category=%22%3E%3Cscript%3E").status_code == 200
    nul = get(client, "/ja/search/?q=moon%00")
    assert nul.status_code == 400 and nul[HEADER] == "bypass"
    assert get(client, "/ja/search/?q=moon%00")[HEADER] == "bypass"
    many = get(client, "/ja/search/?q=" + "+".join(f"w{n}" for n in range(2000)))
    assert many.status_code == 200
    quoted = get(client, "/ja/search/?q=\"Moon\"+'ja'")
    assert quoted.status_code == 200
    assert "<script>" not in html(get(client, index + "?category=%22%3E%3Cscript%3E"))
    fine = get(client, "/ja/search/?q=Moon")
    assert "Moon ja" in html(fine)
    assert "Moon ja" in html(get(client, index))


# ---------------------------------------------------------------------------
# The CDN
# ---------------------------------------------------------------------------

# Real commits: the purge is sent after the commit, once per transaction.
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@TRANSACTIONAL
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_publication_purges_the_page_in_every_language_and_its_lists(client, site, language, cdn):
    pages = site[language]
    publish(pages["article"], title="Changed")
    base = "http://testserver"
    expected = {
        base + site["ja"]["article"].url,
        base + site["th"]["article"].url,
        base + pages["home"].url,
        base + pages["index"].url,
        base + pages["index"].url + "?category=space",
    }
    assert expected <= set(cdn)
    other = "hi"
    assert base + site[other]["home"].url not in cdn


@TRANSACTIONAL
def test_a_move_purges_the_old_url(client, site, cdn):
    plain = site["th"]["plain"]
    old_url = "http://testserver" + plain.url
    target = StandardPageFactory(parent=site["th"]["home"], title="Section")
    cdn.clear()
    plain.move(target, pos="last-child")
    plain.refresh_from_db()
    assert old_url in cdn
    assert "http://testserver" + plain.url in cdn


@TRANSACTIONAL
def test_a_site_wide_change_purges_the_lists_of_every_language(client, site, cdn):
    FooterLinks.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"terms_page": site["ja"]["plain"]},
    )
    for code in ("ja", "th", "hi"):
        assert "http://testserver" + site[code]["home"].url in cdn
        assert "http://testserver" + site[code]["index"].url in cdn


def test_clear_page_cache_makes_every_page_stale(client, site):
    url = site["th"]["article"].url
    cached_twice(client, url)
    call_command("clear_page_cache")
    assert get(client, url)[HEADER] == "miss"


# ---------------------------------------------------------------------------
# Releases (RELEASE): during a rolling deployment, each server keeps to its own code's pages
# ---------------------------------------------------------------------------


def test_a_new_release_never_serves_the_html_the_old_code_rendered(client, site, settings):
    url = site["th"]["article"].url
    settings.UKIYO_RELEASE = "2026-12-01.a1"
    cached_twice(client, url)
    # What the old templates made, as a server of the old release kept it.
    key = pagecache.PageKey.for_request(RequestFactory().get(url)).key
    entry = pagecache.cache().get(key)
    entry["content"] = entry["content"].replace(b"</body>", b"<p>old templates</p></body>")
    entry["gzip"] = None
    pagecache.cache().set(key, entry)
    pagecache.local_copies.discard(key)
    assert b"old templates" in get(client, url).content

    settings.UKIYO_RELEASE = "2026-12-08.b2"
    first, second = cached_twice(client, url)
    assert b"old templates" not in first.content
    assert b"old templates" not in second.content
    # A server of the old release, not yet restarted, still answers from its own pages.
    settings.UKIYO_RELEASE = "2026-12-01.a1"
    old = get(client, url)
    assert old[HEADER] == "hit"
    assert b"old templates" in old.content


def test_a_change_under_either_release_makes_both_releases_pages_stale(client, site, settings):
    url = site["th"]["article"].url
    for release in ("2026-12-01.a1", "2026-12-08.b2"):
        settings.UKIYO_RELEASE = release
        cached_twice(client, url)
    # Published from an old server in the middle of the roll.
    settings.UKIYO_RELEASE = "2026-12-01.a1"
    pagecache.bump([pagecache.page_tag(site["th"]["article"].translation_key)])
    for release in ("2026-12-08.b2", "2026-12-01.a1"):
        settings.UKIYO_RELEASE = release
        assert get(client, url)[HEADER] == "miss", release


def test_the_pieces_pages_share_are_kept_apart_by_release(settings):
    # A piece is Python data whose shape the code decides (a dict the templates read).
    settings.UKIYO_RELEASE = "old"
    assert pagecache.cached("release-test", (), lambda: {"links": []}) == {"links": []}
    settings.UKIYO_RELEASE = "new"
    assert pagecache.cached("release-test", (), lambda: {"items": [1]}) == {"items": [1]}
    settings.UKIYO_RELEASE = "old"
    assert pagecache.cached("release-test", (), lambda: {"links": ["x"]}) == {"links": []}


# ---------------------------------------------------------------------------
# Each process's own copies (UKIYO_PAGE_CACHE_LOCAL_ENTRIES)
# ---------------------------------------------------------------------------


def forget_shared_copy(url):
    """Take a page out of the shared cache only, as another process's eviction would."""
    key = pagecache.PageKey.for_request(RequestFactory().get(url)).key
    pagecache.cache().delete(key)


def test_a_hit_on_the_process_own_copy_still_sees_a_change_made_elsewhere(client, site):
    url = site["th"]["article"].url
    cached_twice(client, url)
    forget_shared_copy(url)
    assert get(client, url)[HEADER] == "hit"  # this process's copy, its tags still fresh

    # Another process publishes: only the shared tags move, nothing in this process.
    pagecache.bump([pagecache.page_tag(site["th"]["article"].translation_key)])
    assert get(client, url)[HEADER] == "miss"
    assert get(client, url)[HEADER] == "hit"


class CountedReads:
    """Counts what the shared cache is asked for (keys read) while it is in place."""

    def __init__(self, monkeypatch):
        self.keys = []
        store = pagecache.cache()
        get, get_many = store.get, store.get_many

        def counted_get(key, *args, **kwargs):
            self.keys.append(key)
            return get(key, *args, **kwargs)

        def counted_get_many(keys, *args, **kwargs):
            self.keys.extend(keys)
            return get_many(keys, *args, **kwargs)

        monkeypatch.setattr(store, "get", counted_get)
        monkeypatch.setattr(store, "get_many", counted_get_many)


def test_a_hit_on_an_unchanged_copy_reads_one_value(client, site, monkeypatch):
    url = site["ja"]["article"].url
    cached_twice(client, url)
    reads = CountedReads(monkeypatch)
    assert get(client, url)[HEADER] == "hit"
    assert reads.keys == [pagecache.GENERATION]

    # A change anywhere: the next hit reads the copy's tags once, then one value again.
    pagecache.bump([pagecache.list_tag("hi")])
    reads.keys.clear()
    assert get(client, url)[HEADER] == "hit"
    assert len(reads.keys) > 2
    reads.keys.clear()
    assert get(client, url)[HEADER] == "hit"
    assert reads.keys == [pagecache.GENERATION]


def test_a_copy_checked_while_a_change_is_made_is_stale_once_it_is_made(client, site, monkeypatch):
    # A reader's hit between the two steps of a change (the generation moved, the tags not
    # yet set) finds the copy fresh; once the tags are set, the next hit must not.
    url = site["ja"]["article"].url
    cached_twice(client, url)
    store = pagecache.cache()
    set_many = store.set_many
    between = []

    def reader_between_the_steps(values, *args, **kwargs):
        between.append(get(client, url)[HEADER])
        return set_many(values, *args, **kwargs)

    monkeypatch.setattr(store, "set_many", reader_between_the_steps)
    pagecache.bump([pagecache.page_tag(site["ja"]["article"].translation_key)])
    monkeypatch.setattr(store, "set_many", set_many)

    assert between == ["hit"]
    assert get(client, url)[HEADER] == "miss"


def test_without_local_copies_every_hit_comes_from_the_shared_cache(client, site, settings):
    settings.UKIYO_PAGE_CACHE_LOCAL_ENTRIES = 0
    url = site["ja"]["article"].url
    cached_twice(client, url)
    forget_shared_copy(url)
    assert get(client, url)[HEADER] == "miss"


def test_a_process_keeps_only_the_pages_it_served_last(client, site, settings):
    settings.UKIYO_PAGE_CACHE_LOCAL_ENTRIES = 2
    urls = [site["ja"]["plain"].url, site["ja"]["article"].url, site["ja"]["home"].url]
    for url in urls:
        cached_twice(client, url)
    for url in urls:
        forget_shared_copy(url)
    # Newest first: a page rendered again is kept again, and would push an older one out.
    assert [get(client, url)[HEADER] for url in reversed(urls)] == ["hit", "hit", "miss"]


def test_a_parts_own_tags_make_it_stale_without_being_declared_for_its_page(db):
    made = []

    def render():
        made.append(len(made) + 1)
        pagecache.depends_on("shown")
        return f"part {made[-1]}"

    def read():
        with pagecache.keeping_fragments(), pagecache.collecting() as declared:
            part = pagecache.fragment("own-tags", render, own_tags=lambda part: ["held"])
        return part, declared

    assert read() == ("part 1", {"site", "shown"})
    assert read() == ("part 1", {"site", "shown"})  # kept; "held" never declared
    pagecache.bump(["held"])
    assert read() == ("part 2", {"site", "shown"})
    pagecache.bump(["shown"])
    assert read()[0] == "part 3"


def test_a_piece_read_again_in_a_view_that_keeps_parts_is_this_process_copy(db, monkeypatch):
    made = []

    def compute():
        made.append(len(made) + 1)
        return {"made": made[-1]}

    def in_a_view():
        with pagecache.keeping_fragments():
            reads.keys.clear()
            return pagecache.cached("local-piece", ("piece-tag",), compute)

    reads = CountedReads(monkeypatch)
    assert in_a_view() == {"made": 1}
    assert in_a_view() == {"made": 1}  # its tags read once, with the generation
    assert reads.keys
    assert in_a_view() == {"made": 1}
    assert reads.keys == []  # the generation the view read at its start says nothing changed
    in_a_view()["made"] = "changed by a reader"
    assert in_a_view() == {"made": 1}  # each read gets its own copy

    # A change elsewhere: the copy's tags are read once, and then it is made again.
    pagecache.bump(["piece-tag"])
    assert in_a_view() == {"made": 2}
    assert in_a_view() == {"made": 2}
    assert in_a_view() == {"made": 2}
    assert reads.keys == []
    # Outside such a view, every read asks the shared cache.
    assert pagecache.cached("local-piece", ("piece-tag",), compute) == {"made": 2}
    assert pagecache.in_release("piece:local-piece") in reads.keys


def test_a_piece_that_ages_is_always_read_from_the_shared_cache(db, monkeypatch):
    reads = CountedReads(monkeypatch)
    for _ in range(2):
        with pagecache.keeping_fragments():
            reads.keys.clear()
            assert pagecache.cached("aging-piece", (), lambda: "news", timeout=60) == "news"
    assert pagecache.in_release("piece:aging-piece") in reads.keys


def test_a_view_reads_what_it_reads_once_only_once():
    values = iter(range(10))
    with pagecache.keeping_fragments():
        assert pagecache.read_once("counter", lambda: next(values)) == 0
        assert pagecache.read_once("counter", lambda: next(values)) == 0
    with pagecache.keeping_fragments():
        assert pagecache.read_once("counter", lambda: next(values)) == 1
    assert pagecache.read_once("counter", lambda: next(values)) == 2
    assert pagecache.read_once("counter", lambda: next(values)) == 3
