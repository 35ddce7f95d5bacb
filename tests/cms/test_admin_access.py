"""Who reads what in the admin: an editor with rights on one branch of the page tree.

The English desk may add, edit and publish under ``/en/articles/`` and has no other permission.
It must not read a Japanese article's draft, revisions or embargoed title through any admin
view (Wagtail's own or ukiyo's), nor open ukiyo's admin views that need a model permission it
does not have; a superuser opens them all.
"""

import pytest
from django.urls import reverse
from wagtail.models import Site
from wagtail_localize.models import Translation, TranslationSource

from consent.models import ConsentSettings, ConsentTexts
from home.models import ContactMessage
from tests.branches import branch_editor
from tests.factories import ArticlePageFactory, CategoryFactory, paragraph, section
from webhooks import delivery
from webhooks.models import Webhook

EMBARGOED = "禁輸中の特ダネ"
LIVE_DRAFT = "未発表の新しい見出し"
REVISED_TEXT = "差し替え前の本文。"


def denied(response):
    """Wagtail answers a refused admin URL with a redirect to its dashboard (or a 403/404)."""
    if response.status_code == 302:
        return response.url == reverse("wagtailadmin_home")
    return response.status_code in (403, 404)


@pytest.fixture
def japanese_articles(index, locales):
    embargoed = ArticlePageFactory(
        parent=index,
        title=EMBARGOED,
        slug="embargoed",
        live=False,
        references=[],
        body=[section("見出し", [paragraph("禁輸中。")])],
    )
    embargoed.save_revision()
    live = ArticlePageFactory(
        parent=index,
        title="公開済みの記事",
        slug="live",
        references=[],
        body=[section("見出し", [paragraph(REVISED_TEXT)])],
    )
    live.save_revision().publish()
    live.title = LIVE_DRAFT
    live.save_revision()
    for page in (embargoed, live):
        source, _ = TranslationSource.get_or_create_from_instance(page)
        # Submitted for translation into French: wagtail-localize's report lists it.
        Translation.objects.create(source=source, target_locale=locales["fr"])
    return {"embargoed": embargoed, "live": live}


@pytest.fixture
def english_desk(client, english_tree):
    _en_home, en_index = english_tree
    return branch_editor(client, en_index, codenames=["submit_translation"])


def page_urls(page):
    revisions = list(page.revisions.order_by("created_at", "pk"))
    first, last = revisions[0], revisions[-1]
    source = TranslationSource.objects.get(object_id=page.translation_key, locale=page.locale)
    return [
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
        reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
        reverse("wagtailadmin_pages:revisions_index", args=[page.pk]),
        reverse("wagtailadmin_pages:revisions_view", args=[page.pk, last.pk]),
        reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, first.pk, last.pk]),
        reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, "live", "latest"]),
        reverse("wagtailadmin_pages:history", args=[page.pk]),
        reverse("wagtailadmin_pages:workflow_history", args=[page.pk]),
        reverse("wagtailadmin_pages:delete", args=[page.pk]),
        reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
        reverse("wagtailadmin_pages:copy", args=[page.pk]),
        reverse("wagtailadmin_pages:move", args=[page.pk]),
        reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
        reverse("wagtail_localize:update_translations", args=[source.pk]),
        reverse("translations:translate_page", args=[page.pk]),
    ]


def test_drafts_and_revisions_of_another_branch_are_not_readable(english_desk, japanese_articles):
    for page in japanese_articles.values():
        for url in page_urls(page):
            response = english_desk.get(url)
            if response.status_code == 302 and response.url != reverse("wagtailadmin_home"):
                response = english_desk.get(response.url)  # revisions → history
            assert denied(response), (url, response.status_code)
            body = response.content.decode()
            assert EMBARGOED not in body and LIVE_DRAFT not in body, url
        post = english_desk.post(reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]))
        assert denied(post), post.status_code


def test_listings_and_reports_do_not_name_drafts_of_another_branch(
    english_desk, japanese_articles, index
):
    urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[index.pk]),
        reverse("wagtailadmin_pages:search") + "?q=特ダネ",
        reverse("wagtailadmin_pages:search") + "?q=見出し",
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:aging_pages"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("wagtailadmin_choose_page_child", args=[index.pk]),
        reverse("wagtailadmin_choose_page_search") + "?q=特ダネ",
        reverse("translations:dashboard"),
        reverse("translations:dashboard") + "?state=missing",
        reverse("wagtail_localize:translations_report"),
        reverse("wagtail_localize:translations_report_results") + "?source_title=特ダネ",
        reverse("newsroom_calendar"),
        reverse("newsroom_calendar") + "?state=draft&language=ja",
        reverse("articles:index"),
        reverse("articles:index") + "?q=特ダネ",
        reverse("articles:index_results") + "?status=draft",
    ]
    for url in urls:
        response = english_desk.get(url, follow=True)
        assert response.status_code in (200, 403, 404), url
        body = response.content.decode()
        assert EMBARGOED not in body and LIVE_DRAFT not in body, url


def test_a_superuser_reads_them(editor, japanese_articles):
    live = japanese_articles["live"]
    assert LIVE_DRAFT in editor.get(reverse("wagtailadmin_pages:edit", args=[live.pk])).text
    assert EMBARGOED in editor.get(reverse("translations:dashboard")).text
    assert EMBARGOED in editor.get(reverse("wagtail_localize:translations_report")).text


# --- ukiyo's admin views that need a model permission ------------------------------------------


@pytest.fixture
def records(home, locales):
    """One object for each of ukiyo's model admin views, with a name to look for."""
    site = Site.objects.get(is_default_site=True)
    webhook = Webhook.objects.create(name="秘密の受け手", url="https://hooks.example/ukiyo")
    found = delivery.new_delivery(
        webhook, "page.published", payload={"id": 5, "locale": "ja", "title": "x"}
    )
    found.save()
    message = ContactMessage.objects.create(
        name="読者", email="reader@example.com", subject="内部告発の件", message="…", language="ja"
    )
    ConsentSettings.for_site(site)
    texts = ConsentTexts.objects.create(site=site, locale=locales["ja"], title="クッキー告知の題")
    category = CategoryFactory(name="機密カテゴリ", slug="secret", locale=locales["ja"])
    return {
        "webhook": webhook,
        "delivery": found,
        "message": message,
        "site": site,
        "texts": texts,
        "category": category,
    }


def model_views(records):
    """(url, text that only a permitted user may read) per view."""
    webhook, message = records["webhook"], records["message"]
    site, texts, category = records["site"], records["texts"], records["category"]
    return [
        (reverse("webhooks:index"), webhook.name),
        (reverse("webhooks:inspect", args=[webhook.pk]), webhook.url),
        (reverse("webhooks:edit", args=[webhook.pk]), webhook.secret),
        (reverse("webhooks:send_test", args=[webhook.pk]), webhook.url),
        (reverse("webhook_deliveries:index"), webhook.name),
        (reverse("webhook_deliveries:inspect", args=[records["delivery"].pk]), webhook.name),
        (reverse("contact_messages:index"), message.subject),
        (reverse("contact_messages:inspect", args=[message.pk]), message.subject),
        (reverse("contact_messages:index") + "?export=csv", message.subject),
        (reverse("wagtailsettings:edit", args=["consent", "consentsettings", site.pk]), "klaro"),
        (reverse("wagtailsnippets_consent_consenttexts:list"), texts.title),
        (reverse("wagtailsnippets_consent_consenttexts:edit", args=[texts.pk]), texts.title),
        (reverse("wagtailsettings:edit", args=["core", "footerlinks", site.pk]), "Footer"),
        (reverse("wagtailsnippets_news_category:list"), category.name),
        (reverse("wagtailsnippets_news_category:edit", args=[category.pk]), category.name),
        (
            reverse(
                "wagtail_localize:submit_snippet_translation",
                args=["news", "category", category.pk],
            ),
            category.name,
        ),
    ]


MENU = ["/admin/webhooks/", "/admin/contact_messages/", "consentsettings", "footerlinks"]


def test_an_editor_without_model_permissions_opens_none_of_them(english_desk, records):
    for url, secret in model_views(records):
        response = english_desk.get(url)
        assert denied(response), (url, response.status_code)
        assert secret not in response.content.decode(), url
    home = english_desk.get(reverse("wagtailadmin_home")).text
    for link in MENU:
        assert link not in home
    assert denied(english_desk.post(reverse("webhooks:send_test", args=[records["webhook"].pk])))
    assert denied(
        english_desk.post(reverse("contact_messages:delete", args=[records["message"].pk]))
    )
    assert ContactMessage.objects.filter(pk=records["message"].pk).exists()


def test_a_superuser_opens_all_of_them(editor, records):
    for url, secret in model_views(records):
        response = editor.get(url)
        assert response.status_code == 200, url
        body = b"".join(response).decode() if response.streaming else response.text
        if secret not in ("klaro", "Footer"):
            assert secret in body, url


# A model permission opens that model's views (the listing at least) and no other model's.
OWN_VIEWS = {
    "view_contactmessage": ["/admin/contact_messages/"],
    "change_consentsettings": ["/admin/settings/consent/consentsettings/"],
    "view_consenttexts": ["/admin/snippets/consent/consenttexts/"],
    "change_footerlinks": ["/admin/settings/core/footerlinks/"],
    "view_category": ["/admin/snippets/news/category/"],
}


@pytest.mark.parametrize("codename", list(OWN_VIEWS))
def test_each_model_permission_opens_its_own_views_only(client, english_tree, records, codename):
    _en_home, en_index = english_tree
    desk = branch_editor(client, en_index, name="one-permission", codenames=[codename])
    opened = 0
    for url, secret in model_views(records):
        response = desk.get(url)
        if any(url.startswith(prefix) for prefix in OWN_VIEWS[codename]):
            opened += response.status_code == 200
        else:
            assert denied(response), (url, response.status_code)
            assert secret not in response.content.decode(), url
    assert opened >= 1
