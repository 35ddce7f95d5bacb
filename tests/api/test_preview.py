"""Headless preview: the admin's preview goes to the frontend, which reads the draft by token."""

import io
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from preview import tokens
from preview.models import PreviewSnapshot
from tests.factories import ArticlePageFactory, paragraph, section

FRONTEND = "https://app.example.com/preview"
APIS = ["v2", "v3"]
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def frontend(settings):
    settings.UKIYO_FRONTEND_PREVIEW_URL = FRONTEND
    settings.UKIYO_PREVIEW_TOKEN_MAX_AGE = 3600
    return FRONTEND


@pytest.fixture
def article(index):
    page = ArticlePageFactory(
        parent=index,
        title="月面着陸",
        slug="moon-landing",
        display_date=datetime(2025, 6, 20, 0, 30, tzinfo=UTC),
        body=[
            section(
                "着陸",
                [
                    paragraph("公開済みの本文。"),
                    paragraph(f'<a linktype="page" id="{index.pk}">記事一覧</a>へ。'),
                ],
            )
        ],
    )
    # Published as editors publish: through a revision, as every later state will be.
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def edit_form(article, title, text):
    """The article's edit form as an editor has it: a new title and first paragraph."""
    return nested_form_data(
        {
            "title": title,
            "slug": article.slug,
            "summary": article.summary,
            "display_date": "2025-06-20 09:30",
            "article_authors": inline_formset([]),
            "corrections": inline_formset([]),
            "tags": "",
            "body": streamfield(
                [
                    (
                        "section",
                        {
                            "heading": "着陸",
                            "content": streamfield(
                                [
                                    (
                                        "paragraph",
                                        {"text": rich_text(f"<p>{text}</p>"), "sources": ""},
                                    )
                                ]
                            ),
                        },
                    )
                ]
            ),
            "references": streamfield([]),
        }
    )


def preview_on_edit(editor, article, title="下書きの題", text="まだ保存していない本文。", **query):
    """Post the edit form to the preview, as the preview panel does, then open the preview."""
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk])
    state = editor.post(url, edit_form(article, title, text)).json()
    assert state == {"is_valid": True, "is_available": True}
    return editor.get(url, query)


def frontend_query(response):
    """The query the admin's preview sends the frontend, checked to be the frontend's URL."""
    assert response.status_code == 302, response.content[:300]
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == FRONTEND
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def fetch(client, api, **query):
    return client.get(f"/api/{api}/preview/", query)


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def body_text(payload):
    return str(payload["body"])


# -- the editor's preview reaches the frontend, and the frontend the unsaved state -------------


@pytest.mark.parametrize("query", [{}, {"in_preview_panel": "true"}, {"mode": ""}])
def test_the_preview_of_unsaved_changes_goes_to_the_frontend_with_a_token(
    editor, frontend, article, query
):
    revisions = article.revisions.count()

    response = preview_on_edit(editor, article, **query)

    sent = frontend_query(response)
    assert set(sent) == {"token", "content_type", "locale"}
    assert sent["content_type"] == "news.ArticlePage"
    assert sent["locale"] == "ja"
    assert "no-store" in cache_control(response)  # the Location holds a live token
    # The previewed state is kept for the frontend; the page itself is untouched.
    article.refresh_from_db()
    assert article.title == "月面着陸"
    assert article.revisions.count() == revisions
    assert PreviewSnapshot.objects.get().page_id == article.pk


@pytest.mark.parametrize("api", APIS)
def test_the_frontend_reads_the_unsaved_title_and_body_with_the_token(
    editor, client, frontend, article, api
):
    sent = frontend_query(preview_on_edit(editor, article))

    client.logout()  # the frontend has no admin session
    response = fetch(client, api, token=sent["token"])

    assert response.status_code == 200
    assert response["Ukiyo-Preview"] == "true"
    payload = response.json()
    assert payload["id"] == article.pk
    assert payload["title"] == "下書きの題"
    assert "まだ保存していない本文。" in body_text(payload)
    assert "公開済みの本文。" not in body_text(payload)
    assert payload["meta"]["type"] == "news.ArticlePage"
    assert payload["meta"]["locale"] == "ja"
    # The frontend passes on what it was given; they agree with the token.
    again = fetch(client, api, **sent)
    assert again.status_code == 200
    assert again.json() == payload
    # Meanwhile readers of the API still get the published page.
    assert client.get(f"/api/{api}/pages/{article.pk}/").json()["title"] == "月面着陸"


@pytest.mark.parametrize("api", APIS)
def test_a_preview_has_exactly_the_shape_of_the_detail_endpoint(
    editor, client, frontend, article, api
):
    # "View draft" previews the latest revision, here the published one: the same state.
    response = editor.get(reverse("wagtailadmin_pages:view_draft", args=[article.pk]))
    token = frontend_query(response)["token"]
    client.logout()

    preview = fetch(client, api, token=token).json()
    detail = client.get(f"/api/{api}/pages/{article.pk}/").json()

    assert preview == detail


@pytest.mark.parametrize("api", APIS)
def test_preview_answers_are_never_cached(editor, client, frontend, article, api):
    token = frontend_query(preview_on_edit(editor, article))["token"]
    client.logout()

    response = fetch(client, api, token=token)

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)
    assert not {"public"} & cache_control(response)
    assert not any(part.startswith("s-maxage") for part in cache_control(response))
    assert "ETag" not in response


def test_v3_types_the_preview_as_the_page_detail(client, db):
    document = client.get("/api/v3/openapi.json").json()
    preview = document["paths"]["/api/v3/preview/"]["get"]
    detail = document["paths"]["/api/v3/pages/{page_id}/"]["get"]

    assert preview["responses"]["200"]["content"] == detail["responses"]["200"]["content"]
    assert {"401", "403"} <= preview["responses"].keys()
    assert [p["name"] for p in preview["parameters"]][:3] == ["token", "content_type", "locale"]
    # The token travels in the query: no bearer token is asked for.
    assert "security" not in preview


def test_v2_takes_its_usual_fields_parameter(editor, client, frontend, article):
    token = frontend_query(preview_on_edit(editor, article))["token"]

    response = client.get("/api/v2/preview/", {"token": token, "fields": "_,title,summary"})

    assert response.status_code == 200
    assert response.json() == {"title": "下書きの題", "summary": article.summary}
    bad = client.get("/api/v2/preview/", {"token": token, "fields": "no_such_field"})
    assert bad.status_code == 400
    assert "no_such_field" in bad.json()["message"]
    assert "no-store" in cache_control(bad)


def test_a_page_with_several_preview_modes_tells_the_frontend_which(editor, frontend, home):
    from home.models import ContactPage
    from tests.home.test_contact import contact_form_data  # the contact page's edit form

    contact = home.add_child(instance=ContactPage(title="お問い合わせ", slug="contact"))
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[contact.pk])
    assert editor.post(url, contact_form_data(title="お問い合わせ")).json()["is_valid"]

    assert frontend_query(editor.get(url, {"mode": "sent"}))["mode"] == "sent"
    assert "mode" not in frontend_query(editor.get(url))


# -- every way the admin previews a page ------------------------------------------------------


def translate_with_localize(article, locale, texts, *, save=True):
    """A translation in wagtail-localize's editor: ``texts`` are the translator's strings
    (the rest are the source's, marked ``EN``); ``save`` saves the draft page."""
    from wagtail_localize.models import (
        StringSegment,
        StringTranslation,
        Translation,
        TranslationSource,
    )

    source, _ = TranslationSource.get_or_create_from_instance(article)
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=locale)
    for segment in StringSegment.objects.filter(source=source).select_related("context", "string"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": texts.get(segment.string.data, f"EN {segment.string.data}")},
        )
    if save:
        translation.save_target(publish=False)
    return translation


@pytest.mark.parametrize("api", APIS)
def test_a_draft_translation_previews_in_its_language(
    editor,
    client,
    frontend,
    article,
    english_tree,
    locales,
    api,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        translation = translate_with_localize(
            article, locales["en"], {"月面着陸": "Moon landing", "moon-landing": "moon-landing"}
        )
    draft = article.get_translation(locales["en"]).specific
    assert not draft.live
    # The translator corrects the title in the editor; the page is not saved again.
    translate_with_localize(article, locales["en"], {"月面着陸": "Landing on the Moon"}, save=False)

    response = editor.get(reverse("wagtail_localize:preview_translation", args=[translation.pk]))

    sent = frontend_query(response)
    assert sent["locale"] == "en"
    client.logout()
    payload = fetch(client, api, **sent).json()
    assert payload["id"] == draft.pk
    assert payload["title"] == "Landing on the Moon"
    assert payload["meta"]["locale"] == "en"
    assert "EN 公開済みの本文。" in body_text(payload)
    # Its links lead to pages in its language, as in the detail endpoint.
    assert 'href="/en/articles/"' in body_text(payload)
    assert "/ja/articles/" not in body_text(payload)
    # Not live, so nowhere else to be read.
    assert client.get(f"/api/{api}/pages/{draft.pk}/").status_code == 404


def test_a_page_waiting_in_a_moderation_workflow_previews_in_the_frontend(
    editor, client, frontend, article, admin_user
):
    workflow = Workflow.objects.get(name="Moderators approval")
    article.title = "審査待ちの題"
    article.save_revision(user=admin_user)
    workflow.start(article, admin_user)
    task = workflow.tasks.first()

    response = editor.get(
        reverse("wagtailadmin_pages:workflow_preview", args=[article.pk, task.pk])
    )

    token = frontend_query(response)["token"]
    client.logout()
    assert fetch(client, "v3", token=token).json()["title"] == "審査待ちの題"


def test_a_page_not_created_yet_keeps_the_admin_preview(editor, frontend, home):
    # The frontend's shape needs an id; a new page has none until its first save.
    url = reverse("wagtailadmin_pages:preview_on_add", args=["home", "standardpage", home.pk])
    form = nested_form_data(
        {
            "title": "新しい記事",
            "slug": "new-page",
            "summary": "",
            "body": streamfield([("paragraph", rich_text("<p>本文。</p>"))]),
        }
    )
    assert editor.post(url, form).json()["is_valid"]

    response = editor.get(url)

    assert response.status_code == 200
    assert "新しい記事" in response.content.decode()
    assert not PreviewSnapshot.objects.exists()


def test_without_a_frontend_the_admin_shows_its_own_html_preview(editor, settings, article):
    settings.UKIYO_FRONTEND_PREVIEW_URL = ""

    response = preview_on_edit(editor, article)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "下書きの題" in content and "まだ保存していない本文。" in content
    assert not PreviewSnapshot.objects.exists()


def test_the_frontend_url_keeps_its_own_query(editor, settings, article):
    settings.UKIYO_FRONTEND_PREVIEW_URL = "https://app.example.com/api/draft?secret=s3cret"

    location = urlsplit(preview_on_edit(editor, article)["Location"])

    assert location.path == "/api/draft"
    query = parse_qs(location.query)
    assert query["secret"] == ["s3cret"]
    assert {"token", "content_type", "locale"} <= query.keys()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("", True),
        ("https://app.example.com/preview", True),
        ("http://localhost:3000/api/draft?secret=x", True),
        ("app.example.com/preview", False),
        ("javascript:alert(1)", False),
        ("https://app.example.com/#/preview", False),
    ],
)
def test_a_frontend_url_that_cannot_work_is_a_configuration_error(settings, url, ok):
    from preview.checks import frontend_preview_url

    settings.UKIYO_FRONTEND_PREVIEW_URL = url

    assert [error.id for error in frontend_preview_url(None)] == ([] if ok else ["ukiyo.E002"])


def test_the_admin_is_not_framed_by_other_sites(editor, article):
    edit = editor.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))

    assert edit["X-Frame-Options"] == "DENY"


# -- without a valid token, no draft --------------------------------------------------------------


def assert_refused(response, status, words):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert words in problem["detail"]
    assert "下書きの題" not in response.content.decode()
    assert "Ukiyo-Preview" not in response
    assert {"private", "no-store"} <= cache_control(response)


@pytest.fixture
def issued(editor, client, frontend, article):
    """The query the frontend received for a preview of unsaved changes."""
    sent = frontend_query(preview_on_edit(editor, article))
    client.logout()
    return sent


@pytest.mark.parametrize("api", APIS)
def test_no_token_no_preview(client, db, api):
    assert_refused(fetch(client, api), 401, "token is required")


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("token", ["nonsense", "a:b:c", "", "' OR 1=1 --"])
def test_a_malformed_token_is_refused(client, db, api, token):
    response = client.get(f"/api/{api}/preview/", {"token": token})

    status, words = (401, "required") if token == "" else (401, "not valid")
    assert_refused(response, status, words)


@pytest.mark.parametrize("api", APIS)
def test_a_tampered_token_is_refused(client, issued, article, index, api):
    token = issued["token"]
    # Another character at the end of the signature, and the claims of another page.
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    signature = token.rpartition(":")[2]
    forged_claims = signing.dumps(
        {"snapshot": "x", "page": index.pk, "locale": article.locale_id}, salt="other"
    ).partition(":")[0]

    assert_refused(fetch(client, api, token=flipped), 401, "not valid")
    assert_refused(fetch(client, api, token=f"{forged_claims}:{signature}"), 401, "not valid")


@pytest.mark.parametrize("api", APIS)
def test_a_value_signed_for_something_else_is_no_token(client, issued, api):
    claims = signing.loads(issued["token"], salt=tokens.SALT)
    other = signing.dumps(claims)  # the site's key, another salt (Django's default)

    assert_refused(fetch(client, api, token=other), 401, "not valid")


@pytest.mark.parametrize("api", APIS)
def test_an_expired_token_is_refused(editor, client, frontend, article, api, monkeypatch):
    # A token signed more than UKIYO_PREVIEW_TOKEN_MAX_AGE ago.
    signed_at = int(time.time()) - 3601
    with monkeypatch.context() as patch:
        patch.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(signed_at)
        )
        token = frontend_query(preview_on_edit(editor, article))["token"]
    client.logout()

    assert_refused(fetch(client, api, token=token), 401, "expired")


@pytest.mark.parametrize("api", APIS)
def test_a_token_outliving_its_stored_state_is_refused(client, issued, api):
    PreviewSnapshot.objects.update(created_at=timezone.now() - timedelta(hours=2))

    assert_refused(fetch(client, api, **issued), 401, "expired")


@pytest.mark.parametrize("api", APIS)
def test_the_token_of_a_deleted_page_is_refused(client, issued, article, api):
    article.delete()

    assert_refused(fetch(client, api, **issued), 401, "expired")


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("content_type", "home.HomePage", "another page type"),
        ("content_type", "wagtailcore.Page", "another page type"),
        ("locale", "en", "another language"),
    ],
)
def test_a_token_is_only_for_its_own_page_type_and_language(
    client, issued, api, name, value, words
):
    assert_refused(fetch(client, api, **{**issued, name: value}), 403, words)


@pytest.mark.parametrize("api", APIS)
def test_a_token_never_reads_another_pages_state(client, issued, article, index, api):
    # Even signed with the site's key, claims that do not match the stored state are refused.
    claims = signing.loads(issued["token"], salt=tokens.SALT)
    other = signing.dumps({**claims, "page": index.pk}, salt=tokens.SALT)

    assert_refused(fetch(client, api, token=other), 403, "does not match")


def test_expired_states_are_purged_when_the_next_preview_is_taken(editor, frontend, article):
    preview_on_edit(editor, article)
    PreviewSnapshot.objects.update(created_at=timezone.now() - timedelta(seconds=3601))
    stale = PreviewSnapshot.objects.get().pk

    preview_on_edit(editor, article, title="もう一度")

    assert not PreviewSnapshot.objects.filter(pk=stale).exists()
    assert PreviewSnapshot.objects.count() == 1


def test_the_purge_command_deletes_only_expired_states(editor, frontend, article):
    preview_on_edit(editor, article)
    preview_on_edit(editor, article, title="二度目")
    old = PreviewSnapshot.objects.order_by("created_at").first()
    PreviewSnapshot.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))

    out = io.StringIO()
    call_command("purge_preview_snapshots", stdout=out)

    assert "Deleted 1 " in out.getvalue()
    assert not PreviewSnapshot.objects.filter(pk=old.pk).exists()
    assert PreviewSnapshot.objects.count() == 1


# -- and no draft anywhere else ---------------------------------------------------------------


@pytest.mark.parametrize("api", APIS)
def test_asking_for_the_draft_without_a_token_gives_the_live_page(editor, client, article, api):
    article.title = "未公開の変更"
    article.save_revision()
    never_published = ArticlePageFactory(parent=article.get_parent(), title="未公開", live=False)
    url = f"/api/{api}/pages/{article.pk}/"

    for caller in (client, editor):  # an anonymous reader, and an admin's session cookie
        response = caller.get(url, {"version": "draft"})
        assert response.status_code == 200
        assert response.json()["title"] == "月面着陸"
        hidden = caller.get(f"/api/{api}/pages/{never_published.pk}/", {"version": "draft"})
        assert hidden.status_code == 404
        assert "未公開" not in hidden.content.decode()
