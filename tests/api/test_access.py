"""Nothing private or draft leaks: what an anonymous caller, and each kind of token holder,
reads and writes through both APIs.

Everything that must stay hidden carries the word ``hush`` in its title or slug (a draft, a
draft translation, a draft revision of a live page, pages behind a password, a login or a
group, a page in a private section, an unpublished page, an unpublished section, files in
private collections): an anonymous answer that contains it anywhere is a leak.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import (
    APIToken,
    Collection,
    CollectionViewRestriction,
    GroupPagePermission,
    Page,
    PageViewRestriction,
    Site,
)

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, ImageFactory, StandardPageFactory

MARK = "hush"
PROBLEM = "application/problem+json"

# The pages of the tree every anonymous caller may read (see ``tree``).
PUBLIC = {"home", "index", "en_home", "en_index", "public", "public_en", "changed", "open_child"}
HIDDEN = [
    "draft",
    "draft_en",
    "password",
    "login",
    "groups",
    "groups_en",
    "section",
    "under_section",
    "unpublished",
    "closed",
]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def restrict(page, kind, groups=(), **fields):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=kind, **fields)
    restriction.groups.set(groups)
    return restriction


@pytest.fixture
def tree(home, index, english_tree, locales):
    """Every state a page can be in, in Japanese and English, by name."""
    en_home, en_index = english_tree
    subscribers = Group.objects.create(name="Subscribers")
    pages = {"home": home, "index": index, "en_home": en_home, "en_index": en_index}

    pages["public"] = ArticlePageFactory(parent=index, title="月面着陸", slug="moon-landing")
    pages["public_en"] = translate_page(pages["public"], locales["en"], title="Moon landing")

    pages["draft"] = ArticlePageFactory(
        parent=index, title="hush draft", slug="hush-draft", live=False
    )
    pages["draft"].save_revision()

    # Live, with a newer draft revision whose text must not show.
    changed = ArticlePageFactory(parent=index, title="改訂前", slug="revised")
    changed.title, changed.summary = "hush revised title", "hush revised summary"
    changed.save_revision()
    pages["changed"] = changed
    draft_en = changed.copy_for_translation(locales["en"])
    draft_en.title = "hush draft translation"
    draft_en.save_revision()
    pages["draft_en"] = draft_en

    pages["password"] = ArticlePageFactory(parent=index, title="hush pw", slug="hush-pw")
    restrict(pages["password"], "password", password="letmein")
    pages["login"] = ArticlePageFactory(parent=index, title="hush login", slug="hush-login")
    restrict(pages["login"], "login")
    pages["groups"] = ArticlePageFactory(parent=index, title="hush groups", slug="hush-groups")
    restrict(pages["groups"], "groups", groups=[subscribers])
    pages["groups_en"] = translate_page(pages["groups"], locales["en"], title="hush groups en")
    restrict(pages["groups_en"], "groups", groups=[subscribers])

    pages["section"] = StandardPageFactory(parent=home, title="hush members", slug="hush-club")
    restrict(pages["section"], "login")
    pages["under_section"] = StandardPageFactory(
        parent=pages["section"], title="hush under", slug="hush-under"
    )

    pages["unpublished"] = ArticlePageFactory(parent=index, title="hush gone", slug="hush-gone")
    pages["unpublished"].unpublish()
    # An unpublished section whose child stays live: the child is public, its parent is not.
    pages["closed"] = StandardPageFactory(parent=home, title="hush closed", slug="closed")
    pages["open_child"] = StandardPageFactory(
        parent=pages["closed"], title="Open child", slug="open-child"
    )
    pages["closed"].unpublish()

    for page in pages.values():
        page.refresh_from_db()
    return pages


@pytest.fixture
def files(db):
    """A public image and document, and others in private collections."""
    root = Collection.get_first_root_node()
    locked = root.add_child(name="hush locked")
    CollectionViewRestriction.objects.create(
        collection=locked, restriction_type="password", password="letmein"
    )
    members = root.add_child(name="hush members")
    CollectionViewRestriction.objects.create(collection=members, restriction_type="login")
    document = get_document_model()
    return {
        "image": ImageFactory(title="Landing site"),
        "private_image": ImageFactory(title="hush image", collection=locked),
        "nested_image": ImageFactory(
            title="hush nested image", collection=locked.add_child(name="hush inner")
        ),
        "document": document.objects.create(
            title="Mission report", file=ContentFile(b"report", name="report.txt")
        ),
        "private_document": document.objects.create(
            title="hush document",
            file=ContentFile(b"secret", name="hush.txt"),
            collection=members,
        ),
    }


def leaks(response, echoed=""):
    """Whether ``response`` shows anything hidden (leaving out what the request itself said)."""
    text = response.content.decode(errors="replace")
    if echoed:
        text = text.replace(echoed, "")
    location = response.get("Location", "")
    return MARK in text.lower() or MARK in location.lower()


def ids_of(response):
    data = response.json()
    return {item["id"] for item in data["items"]}


def ids(tree, names):
    return {tree[name].pk for name in names}


# -- anonymous callers ---------------------------------------------------------------------


ARTICLES = {"public", "public_en", "changed"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v2/pages/?limit=100", PUBLIC),
        ("/api/v2/pages/?limit=100&fields=*", PUBLIC),
        ("/api/v2/pages/?limit=100&type=news.ArticlePage&fields=*", ARTICLES),
        ("/api/v3/pages/?limit=100", PUBLIC),
        ("/api/v3/pages/?limit=100&type=news.ArticlePage", ARTICLES),
        ("/api/v3/pages/?limit=100&type=home.StandardPage", {"open_child"}),
    ],
)
def test_listings_show_exactly_the_live_public_pages(client, tree, url, expected):
    response = client.get(url)

    assert response.status_code == 200
    assert not leaks(response)
    assert ids_of(response) == ids(tree, expected)


@pytest.mark.parametrize("api", ["v2", "v3"])
@pytest.mark.parametrize("locale", ["ja", "en"])
def test_listings_of_one_language(client, tree, api, locale):
    response = client.get(f"/api/{api}/pages/", {"locale": locale, "type": "news.ArticlePage"})

    assert not leaks(response)
    expected = {"ja": {"public", "changed"}, "en": {"public_en"}}[locale]
    assert ids_of(response) == ids(tree, expected)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/?search=hush",
        "/api/v2/pages/?search=hush&locale=en",
        "/api/v2/pages/?search=hush&type=news.ArticlePage",
        "/api/v3/pages/?search=hush",
        "/api/v3/pages/?search=hush&locale=en",
        "/api/v3/pages/?search=hush&type=news.ArticlePage",
    ],
)
def test_search_finds_nothing_hidden(client, tree, url):
    response = client.get(url)

    assert response.status_code == 200
    assert not leaks(response, echoed="search=hush")
    assert ids_of(response) == set()


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_search_still_finds_public_pages(client, tree, api):
    response = client.get(f"/api/{api}/pages/", {"search": "Moon landing"})

    assert tree["public_en"].pk in ids_of(response)


@pytest.mark.parametrize("name", HIDDEN)
def test_a_hidden_page_is_not_found_by_id_or_by_path(client, tree, name):
    page = tree[name]
    path = page.get_url()  # /ja/articles/hush-pw/ ...
    urls = [
        f"/api/v2/pages/{page.pk}/",
        f"/api/v3/pages/{page.pk}/",
        f"/api/v3/pages/{page.pk}/?version=draft",
        f"/api/v2/pages/find/?id={page.pk}",
        f"/api/v3/pages/find/?id={page.pk}",
        f"/api/v2/pages/find/?html_path={path}",
        f"/api/v3/pages/find/?html_path={path}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert not leaks(response, echoed=path), url


@pytest.mark.parametrize("name", sorted(PUBLIC - {"home", "en_home"}))
def test_a_public_page_is_found_by_id_and_by_path(client, tree, name):
    page = tree[name]

    for api in ("v2", "v3"):
        assert client.get(f"/api/{api}/pages/{page.pk}/").status_code == 200
        found = client.get(f"/api/{api}/pages/find/", {"html_path": page.get_url()}, follow=True)
        assert found.status_code == 200
        assert found.json()["id"] == page.pk


def readable(client, page):
    """Whether each way of reading ``page`` shows it: v2 and v3 detail, the v3 cards."""
    cards = client.get("/api/v3/articles/", {"locale": page.locale.language_code})
    return {
        "v2": client.get(f"/api/v2/pages/{page.pk}/").status_code == 200,
        "v3": client.get(f"/api/v3/pages/{page.pk}/").status_code == 200,
        "cards": page.pk in ids_of(cards),
    }


EVERYWHERE = {"v2": True, "v3": True, "cards": True}
NOWHERE = {"v2": False, "v3": False, "cards": False}


@pytest.mark.parametrize("kind", ["password", "login", "groups"])
def test_a_restriction_hides_the_page_from_the_next_read_and_its_removal_shows_it(
    client, tree, kind
):
    for name in ("public", "public_en"):
        page = tree[name]
        assert readable(client, page) == EVERYWHERE

        restriction = restrict(page, kind, password="letmein")
        assert readable(client, page) == NOWHERE, name

        restriction.delete()
        assert readable(client, page) == EVERYWHERE, name


def test_a_restriction_on_a_section_hides_what_lies_under_it(client, tree):
    page = tree["public"]
    assert readable(client, page) == EVERYWHERE

    restrict(tree["index"], "login")

    assert readable(client, page) == NOWHERE
    assert readable(client, tree["public_en"]) == EVERYWHERE


def test_a_new_site_root_shows_on_the_next_read(client, tree, root_page):
    """The site is read from the cache: moving it to another tree changes what it serves."""
    site = Site.objects.get(is_default_site=True)
    for name in ("public", "public_en"):
        assert readable(client, tree[name]) == EVERYWHERE

    site.root_page = StandardPageFactory(parent=root_page, title="Elsewhere", slug="elsewhere")
    site.save()
    for name in ("public", "public_en"):
        assert readable(client, tree[name]) == NOWHERE, name

    site.root_page = tree["home"]
    site.save()
    for name in ("public", "public_en"):
        assert readable(client, tree[name]) == EVERYWHERE, name


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_a_live_page_shows_its_published_text_not_its_draft(client, tree, api):
    page = tree["changed"]

    for query in ("", "?version=draft"):
        response = client.get(f"/api/{api}/pages/{page.pk}/{query}")
        if response.status_code == 200:
            assert response.json()["title"] == "改訂前"
        assert not leaks(response)


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_alternates_name_only_live_public_translations(client, tree, api):
    for name, expected in [("changed", {"ja"}), ("public", {"ja", "en"})]:
        response = client.get(f"/api/{api}/pages/{tree[name].pk}/")
        assert set(response.json()["alternates"]) == expected


def test_v3_does_not_name_a_parent_the_caller_may_not_see(client, tree):
    """Wagtail 8.0.1 named it: the detail of a live page under an unpublished section
    printed that section's title, and every top page named the tree's root."""
    child = client.get(f"/api/v3/pages/{tree['open_child'].pk}/").json()
    assert child["meta"]["parent"] is None
    assert not leaks(client.get(f"/api/v3/pages/{tree['open_child'].pk}/"))

    home = client.get(f"/api/v3/pages/{tree['home'].pk}/").json()
    assert home["meta"]["parent"] is None

    article = client.get(f"/api/v3/pages/{tree['public'].pk}/").json()
    assert article["meta"]["parent"]["id"] == tree["index"].pk

    v2_child = client.get(f"/api/v2/pages/{tree['open_child'].pk}/").json()
    assert v2_child["meta"]["parent"] is None


@pytest.mark.parametrize("name", ["password", "under_section", "groups_en"])
def test_v3_find_by_reader_path_does_not_reveal_a_private_page(client, tree, name):
    """A private page is routable on the site; the lookup used to answer it with a redirect
    to ``find/?id=<its id>`` (then 404), which told that it exists and its id."""
    page = tree[name]

    response = client.get("/api/v3/pages/find/", {"html_path": page.get_url()})

    assert response.status_code == 404
    assert str(page.pk) not in response.get("Location", "")


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_images_and_documents_of_private_collections_stay_hidden(client, files, api):
    for kind, public, private in [
        ("images", "image", ("private_image", "nested_image")),
        ("documents", "document", ("private_document",)),
    ]:
        listing = client.get(f"/api/{api}/{kind}/")
        assert listing.status_code == 200
        assert not leaks(listing)
        assert ids_of(listing) == {files[public].pk}
        searched = client.get(f"/api/{api}/{kind}/", {"search": "hush"})
        assert ids_of(searched) == set()
        for name in private:
            detail = client.get(f"/api/{api}/{kind}/{files[name].pk}/")
            assert detail.status_code == 404
            assert not leaks(detail)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/categories/",
        "/api/v2/authors/",
        "/api/v3/categories/",
        "/api/v3/authors/",
        "/api/v3/openapi.json",
    ],
)
def test_public_references_need_no_token(client, tree, url):
    response = client.get(url)

    assert response.status_code == 200
    assert not leaks(response)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v3/pages/{public}/revisions/",
        "/api/v3/pages/{changed}/revisions/",
        "/api/v3/sites/",
        "/api/v3/sites/1/",
        "/api/v3/whoami/",
        "/api/v3/schema/",
        "/api/v3/schema/news.ArticlePage/",
        "/api/v3/snippets/news.Category/",
    ],
)
def test_token_only_reads_answer_401_without_one(client, tree, url):
    response = client.get(url.format(public=tree["public"].pk, changed=tree["changed"].pk))

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert not leaks(response)


def test_every_documented_read_without_parameters_hides_everything(client, tree, files):
    """A sweep of the v3 document, so that an endpoint added later is checked too.

    The change feed is left to the next test: it names pages that stopped being public.
    """
    document = client.get("/api/v3/openapi.json").json()
    reads = [
        path
        for path, operations in document["paths"].items()
        if "get" in operations and "{" not in path and path != "/api/v3/changes/"
    ]
    assert "/api/v3/categories/" in reads

    for path in reads:
        response = client.get(path)
        assert response.status_code < 500, path
        assert not leaks(response), path


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_the_change_feed_shows_no_hidden_state(client, tree, api):
    """The feed tells that a page stopped being public (its id, language and last public
    URL, so frontends can drop it), never what a draft or a private page holds."""
    private = tree["password"]
    private.title = "hush private edit"
    private.save_revision().publish()

    response = client.get(f"/api/{api}/changes/", {"limit": 500})

    assert response.status_code == 200
    text = response.content.decode()
    for hidden in ["hush private edit", "hush revised", "hush draft", "hush under"]:
        assert hidden not in text
    published = {
        item["object_id"] for item in response.json()["items"] if item["event"] == "page.published"
    }
    assert not published & ids(tree, {"draft", "draft_en", "under_section", "password"})


# -- a reader's session never opens anything through the API ------------------------------


def unlock(client, *restrictions):
    """What the site's password form leaves in the session of a reader who typed it."""
    session = client.session
    session[PageViewRestriction.passed_view_restrictions_session_key] = [
        restriction.pk for restriction in restrictions
    ]
    session.save()


def test_a_page_unlocked_on_the_site_stays_private_in_the_api(client, tree, files):
    """The site lets a reader who typed a page's password in; the API used to as well, with
    ``Cache-Control: public``, so a CDN could serve the page to everyone after them."""
    unlock(client, PageViewRestriction.objects.get(page=tree["password"]))
    page = tree["password"]

    for url in [
        "/api/v2/pages/?limit=100",
        "/api/v3/pages/?limit=100",
        f"/api/v2/pages/{page.pk}/",
        f"/api/v3/pages/{page.pk}/",
        f"/api/v3/pages/find/?html_path={page.get_url()}",
    ]:
        response = client.get(url)
        assert not leaks(response, echoed=page.get_url()), url
        assert "Cookie" not in response.get("Vary", ""), url

    # The reader's session itself is untouched: the site still lets them in.
    assert client.session[PageViewRestriction.passed_view_restrictions_session_key]
    assert client.get(page.get_url()).status_code == 200


def test_a_collection_unlocked_on_the_site_stays_private_in_the_api(client, files):
    session = client.session
    session[CollectionViewRestriction.passed_view_restrictions_session_key] = list(
        CollectionViewRestriction.objects.values_list("pk", flat=True)
    )
    session.save()

    for url in ["/api/v2/images/", "/api/v3/images/", "/api/v2/documents/"]:
        response = client.get(url)
        assert not leaks(response), url


def test_a_logged_in_reader_reads_what_anonymous_callers_read(client, tree, django_user_model):
    reader = django_user_model.objects.create_superuser("reader", "reader@example.com", "pw")
    client.force_login(reader)

    for url in [
        "/api/v2/pages/?limit=100",
        "/api/v3/pages/?limit=100",
        f"/api/v2/pages/{tree['login'].pk}/",
        f"/api/v3/pages/{tree['login'].pk}/",
        f"/api/v3/pages/{tree['changed'].pk}/?version=draft",
    ]:
        response = client.get(url)
        assert not leaks(response), url
    assert client.get(tree["login"].get_url()).status_code == 200  # the site still does


# -- token holders ----------------------------------------------------------------------


@pytest.fixture
def tokens(tree, django_user_model):
    """Bearer headers by kind of holder (``anonymous`` sends none)."""
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    editor = django_user_model.objects.create_user("editor", "editor@example.com", "pw")
    english_editors = Group.objects.create(name="English editors")
    for permission in ("add", "change", "publish"):
        GroupPagePermission.objects.create(
            group=english_editors, page=tree["en_home"], permission_type=permission
        )
    editor.groups.add(english_editors)
    nobody = django_user_model.objects.create_user("nobody", "nobody@example.com", "pw")
    gone = django_user_model.objects.create_superuser("gone", "gone@example.com", "pw")
    gone.is_active = False
    gone.save()

    headers = {"anonymous": {}}
    for name, user in [
        ("admin", admin),
        ("editor", editor),
        ("nobody", nobody),
        ("inactive", gone),
        ("revoked", admin),
    ]:
        token, plaintext = APIToken.create_token(user=user, name=name)
        if name == "revoked":
            token.revoked_at = timezone.now()
            token.save()
        headers[name] = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    headers["malformed"] = {"HTTP_AUTHORIZATION": "Bearer wagtail_not-a-token"}
    return headers


ENGLISH = {"en_home", "en_index", "public_en", "draft_en", "groups_en"}
EVERY_PAGE = PUBLIC | set(HIDDEN)
# What each holder reads through v3 (Wagtail's rule): without a valid token, live public
# pages; with one, exactly the pages its user may edit or publish, in any state.
V3_READABLE = {
    "anonymous": PUBLIC,
    "admin": EVERY_PAGE,
    "editor": ENGLISH,
    "nobody": set(),
    "inactive": PUBLIC,
    "revoked": PUBLIC,
    "malformed": PUBLIC,
}


@pytest.mark.parametrize("holder", sorted(V3_READABLE))
def test_v3_reads_by_token_holder(client, tree, tokens, holder):
    headers = tokens[holder]
    readable = ids(tree, V3_READABLE[holder])

    listed = ids_of(client.get("/api/v3/pages/", {"limit": 100}, **headers))
    assert listed & ids(tree, EVERY_PAGE) == readable

    for name in sorted(EVERY_PAGE):
        response = client.get(f"/api/v3/pages/{tree[name].pk}/", **headers)
        assert response.status_code == (200 if tree[name].pk in readable else 404), name


@pytest.mark.parametrize("holder", sorted(V3_READABLE))
def test_v2_ignores_tokens(client, tree, tokens, holder):
    """v2 is the public delivery API: a token changes nothing there."""
    response = client.get("/api/v2/pages/", {"limit": 100}, **tokens[holder])

    assert ids_of(response) & ids(tree, EVERY_PAGE) == ids(tree, PUBLIC)


@pytest.mark.parametrize(
    ("holder", "name", "title"),
    [
        ("admin", "changed", "hush revised title"),
        ("editor", "draft_en", "hush draft translation"),
        ("anonymous", "changed", "改訂前"),
        ("revoked", "changed", "改訂前"),
        ("inactive", "changed", "改訂前"),
    ],
)
def test_drafts_only_for_those_who_may_edit_them(client, tree, tokens, holder, name, title):
    response = client.get(f"/api/v3/pages/{tree[name].pk}/?version=draft", **tokens[holder])

    assert response.status_code == 200
    assert response.json()["title"] == title


@pytest.mark.parametrize(
    ("holder", "name", "status"),
    [
        ("admin", "changed", 200),
        ("admin", "draft", 200),
        ("editor", "draft_en", 200),
        ("editor", "changed", 404),  # not theirs: as if it did not exist, like reading it
        ("nobody", "public", 403),  # no page permission at all
        ("anonymous", "public", 401),
        ("inactive", "public", 401),
        ("revoked", "public", 401),
        ("malformed", "public", 401),
    ],
)
def test_revisions_by_token_holder(client, tree, tokens, holder, name, status):
    response = client.get(f"/api/v3/pages/{tree[name].pk}/revisions/", **tokens[holder])

    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] >= 1
    else:
        assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("holder", "sites", "whoami"),
    [
        ("admin", 200, 200),
        ("editor", 403, 200),
        ("nobody", 403, 200),
        ("inactive", 401, 401),
        ("revoked", 401, 401),
    ],
)
def test_sites_and_whoami_by_token_holder(client, tree, tokens, holder, sites, whoami):
    assert client.get("/api/v3/sites/", **tokens[holder]).status_code == sites
    response = client.get("/api/v3/whoami/", **tokens[holder])
    assert response.status_code == whoami
    if whoami == 200:
        assert response.json()["user"]["username"] == holder


def write(client, headers, method, url, body=None):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json", **headers)


def writes(tree):
    """One of each write, on a page: (label, method, url, body)."""
    return lambda name, destination: [
        ("edit", "patch", f"/api/v3/pages/{tree[name].pk}/", {"title": "Rewritten"}),
        ("publish", "post", f"/api/v3/pages/{tree[name].pk}/actions/publish/", {}),
        ("unpublish", "post", f"/api/v3/pages/{tree[name].pk}/actions/unpublish/", {}),
        (
            "move",
            "post",
            f"/api/v3/pages/{tree[name].pk}/actions/move/",
            {"destination_id": tree[destination].pk},
        ),
        ("delete", "delete", f"/api/v3/pages/{tree[name].pk}/", None),
    ]


def snapshot(tree):
    return list(
        Page.objects.filter(pk__in=ids(tree, EVERY_PAGE))
        .order_by("pk")
        .values_list("pk", "title", "live", "path", "latest_revision_id")
    )


@pytest.mark.parametrize(
    ("holder", "name", "destination", "status"),
    [
        # The editor's rights stop at the English tree: a Japanese page, or moving one of
        # their pages into the Japanese tree, is refused with 403, as in Wagtail's admin.
        ("editor", "public", "index", 403),
        ("editor", "draft", "index", 403),
        ("editor", "public_en", "index", 403),
        ("nobody", "public_en", "en_index", 403),
        ("anonymous", "public", "index", 401),
        ("inactive", "public", "index", 401),
        ("revoked", "public", "index", 401),
        ("malformed", "public", "index", 401),
    ],
)
def test_refused_writes_change_nothing(client, tree, tokens, holder, name, destination, status):
    before = snapshot(tree)

    for label, method, url, body in writes(tree)(name, destination):
        if holder == "editor" and name == "public_en" and label != "move":
            continue  # their own page: only moving it out of their tree is refused
        response = write(client, tokens[holder], method, url, body)
        assert response.status_code == status, (label, response.content)
        assert response["Content-Type"] == PROBLEM

    assert snapshot(tree) == before


def test_the_editor_writes_in_their_own_language_tree(client, tree, tokens):
    editor = tokens["editor"]
    page = tree["public_en"]

    tag = client.get(f"/api/v3/pages/{page.pk}/", {"version": "draft"}, **editor)["ETag"]
    edited = write(
        client,
        {**editor, "HTTP_IF_MATCH": tag},
        "patch",
        f"/api/v3/pages/{page.pk}/",
        {"title": "Landed"},
    )
    assert edited.status_code == 200
    published = write(client, editor, "post", f"/api/v3/pages/{page.pk}/actions/publish/", {})
    assert published.status_code == 200
    assert Page.objects.get(pk=page.pk).title == "Landed"

    deleted = write(client, editor, "delete", f"/api/v3/pages/{tree['draft_en'].pk}/")
    assert deleted.status_code == 204
    assert not Page.objects.filter(pk=tree["draft_en"].pk).exists()


@pytest.mark.parametrize("holder", ["admin", "editor", "nobody", "inactive", "revoked"])
def test_token_reads_are_never_stored_by_shared_caches(client, tree, tokens, holder):
    response = client.get("/api/v3/pages/", **tokens[holder])

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
