"""The contact form: what a reader sees and sends, what the newsroom receives, what editors read."""

import email
import email.header
import html
import logging
import re
import smtplib
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield
from wagtail.users.models import UserProfile

from core.models import FooterLinks
from home.models import ContactMessage, ContactPage, HomePage, StandardPage
from news.models import ArticleIndexPage, ArticlePage
from tests.conftest import translate_page
from tests.factories import StandardPageFactory, admin_add_url

VALID = {
    "name": "Hanako Yamada",
    "email": "hanako@example.com",
    "subject": "A correction",
    "message": "The landing date in the second paragraph is wrong.\nIt was 20 January.",
    "website": "",
}
RECIPIENT = "newsroom@ukiyo.example"


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters live in the cache: every test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recipients(settings):
    settings.UKIYO_CONTACT_RECIPIENTS = [RECIPIENT]
    settings.UKIYO_CONTACT_RATE_LIMIT = "5/600"
    return settings.UKIYO_CONTACT_RECIPIENTS


def body(*parts):
    return [
        {"type": kind, "value": value, "id": str(uuid.uuid4())}
        for kind, value in zip(parts[::2], parts[1::2], strict=True)
    ]


@pytest.fixture
def contact_page(home):
    page = ContactPage(
        title="お問い合わせ",
        slug="contact",
        summary="編集部への連絡方法",
        body=body("heading", "編集部へのご連絡", "paragraph", "<p>ご意見をお寄せください。</p>"),
        thank_you="お便りありがとうございました。",
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def english_contact(contact_page, english_tree, locales):
    return translate_page(
        contact_page,
        locales["en"],
        title="Contact",
        summary="How to reach the newsroom",
        body=body("heading", "Contacting the newsroom", "paragraph", "<p>Write to us.</p>"),
        thank_you="Thanks for writing to us.",
    )


def text_of(response):
    """The page as a reader reads it: tags dropped, entities decoded, spaces collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def field_value(response, name):
    """The value a field shows, as the reader would find it in the form."""
    content = response.content.decode()
    if name == "message":
        match = re.search(r'<textarea[^>]* name="message"[^>]*>\n?(.*?)</textarea>', content, re.S)
        return html.unescape(match.group(1))
    tag = re.search(rf'<input[^>]* name="{name}"[^>]*>', content).group(0)
    value = re.search(r' value="([^"]*)"', tag)
    return html.unescape(value.group(1)) if value else ""


def errors_at(response, name):
    """The error messages shown at one field."""
    content = response.content.decode()
    match = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', content, re.S)
    if not match:
        return []
    return [html.unescape(error) for error in re.findall(r"<li>(.*?)</li>", match.group(1))]


# -- where the page lives ----------------------------------------------------------------------


class TestContactPageTree(WagtailPageTestCase):
    def test_contact_pages_live_only_under_a_home_page(self):
        self.assertAllowedParentPageTypes(ContactPage, {HomePage})
        self.assertCanCreateAt(HomePage, ContactPage)
        for parent in (Page, StandardPage, ArticleIndexPage, ArticlePage, ContactPage):
            self.assertCanNotCreateAt(parent, ContactPage)

    def test_contact_pages_have_no_children(self):
        self.assertAllowedSubpageTypes(ContactPage, {})


def test_a_home_page_holds_one_contact_page(contact_page, home):
    assert not ContactPage.can_create_at(home)


def test_the_translation_lives_under_the_translated_home(english_contact, english_tree):
    en_home, _ = english_tree
    assert english_contact.get_parent().pk == en_home.pk
    assert english_contact.thank_you == "Thanks for writing to us."


def contact_form_data(**changes):
    return nested_form_data(
        {
            "title": "お問い合わせ",
            "slug": "contact",
            "summary": "編集部への連絡方法",
            "body": streamfield(
                [("heading", "編集部へのご連絡"), ("paragraph", rich_text("<p>ご意見を。</p>"))]
            ),
            "thank_you": "お便りありがとうございました。",
            **changes,
        }
    )


def test_editors_create_the_contact_page_in_the_admin(editor, home):
    response = editor.post(
        admin_add_url(ContactPage, home), contact_form_data(**{"action-publish": "publish"})
    )

    assert response.status_code == 302
    page = ContactPage.objects.get(slug="contact")
    assert page.live
    assert page.thank_you == "お便りありがとうございました。"
    assert [block.block_type for block in page.body] == ["heading", "paragraph"]


def test_editors_preview_the_contact_page_with_its_form(editor, contact_page):
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[contact_page.pk])
    assert editor.post(url, contact_form_data(title="お問い合わせ（改）")).json()["is_valid"]

    response = editor.get(url)

    assert response.status_code == 200
    assert "お問い合わせ（改）" in response.content.decode()
    assert 'name="message"' in response.content.decode()
    assert "お便りありがとうございました。" not in response.content.decode()

    after_sending = editor.get(url, {"mode": "sent"}).content.decode()
    assert "お便りありがとうございました。" in after_sending
    assert 'name="message"' not in after_sending


# -- the form as a reader sees it -------------------------------------------------------------


def test_the_english_page_shows_its_texts_and_the_form(client, english_contact):
    response = client.get("/en/contact/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Contact" in text and "How to reach the newsroom" in text and "Write to us." in text
    for label in ("Your name", "Your e-mail address", "Subject", "Message", "Send message"):
        assert label in text, label
    content = response.content.decode()
    assert '<html lang="en"' in content
    assert 'action="/en/contact/#contact-form"' in content
    assert 'name="csrfmiddlewaretoken"' in content
    # The thank-you text waits until a message is sent.
    assert "Thanks for writing to us." not in text


def test_the_japanese_page_shows_the_form_in_japanese(client, contact_page):
    response = client.get("/ja/contact/")

    assert response.status_code == 200
    assert '<html lang="ja"' in response.content.decode()
    text = text_of(response)
    assert "お問い合わせ" in text and "ご意見をお寄せください。" in text
    with translation.override("ja"):
        labels = [
            translation.gettext(label)
            for label in ("Your name", "Your e-mail address", "Subject", "Message", "Send message")
        ]
    for label in labels:
        assert label in text, label


def test_fields_are_required_and_limited_in_the_browser_too(client, english_contact):
    content = client.get("/en/contact/").content.decode()

    for name, limit in [("name", 100), ("email", 254), ("subject", 150), ("message", 5000)]:
        tag = re.search(rf'<(?:input|textarea)[^>]* name="{name}"[^>]*>', content).group(0)
        assert f'maxlength="{limit}"' in tag, name
        assert " required" in tag, name
    assert re.search(r'<input type="email" name="email"', content)


def test_the_robot_trap_is_hidden_from_people(client, english_contact):
    content = client.get("/en/contact/").content.decode()

    trap = re.search(
        r'<div class="contact-form__trap" aria-hidden="true">(.*?)</div>', content, re.S
    )
    assert trap, "the trap's wrapper is hidden from assistive technology"
    field = re.search(r'<input[^>]* name="website"[^>]*>', trap.group(1)).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in trap.group(0)
    # The rule is in one of the stylesheets the page links.
    css = ""
    for href in re.findall(r'<link rel="stylesheet" href="/static/([^"]+)">', content):
        with open(finders.find(href), encoding="utf-8") as stylesheet:
            css += stylesheet.read()
    rule = re.search(r"\.contact-form__trap \{(.*?)\}", css, re.S).group(1)
    assert "clip-path: inset(50%)" in rule and "position: absolute" in rule


# -- sending ----------------------------------------------------------------------------------


def test_a_valid_message_is_stored_e_mailed_and_confirmed(
    client, english_contact, recipients, mailoutbox
):
    before = timezone.now()
    response = client.post("/en/contact/", VALID)

    assert response.status_code == 302
    assert response["Location"] == "/en/contact/"
    message = ContactMessage.objects.get()
    assert message.page.pk == english_contact.pk
    assert message.language == "en"
    assert (message.name, message.email, message.subject) == (
        "Hanako Yamada",
        "hanako@example.com",
        "A correction",
    )
    assert message.message == VALID["message"]
    assert message.submitted_at >= before

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [RECIPIENT]
    assert email.reply_to == ["Hanako Yamada <hanako@example.com>"]
    assert "A correction" in email.subject
    assert VALID["message"] in email.body
    assert "hanako@example.com" in email.body
    assert "http://testserver/en/contact/" in email.body
    assert f"/admin/contact_messages/inspect/{message.pk}/" in email.body
    assert email.message()["Reply-To"] == "Hanako Yamada <hanako@example.com>"

    page = client.get(response["Location"])
    text = text_of(page)
    assert "Thank you. Your message has been sent." in text
    assert "Thanks for writing to us." in text
    assert 'name="message"' not in page.content.decode()
    # Once read, the confirmation is gone and the form is back.
    again = client.get("/en/contact/")
    assert "Thank you. Your message has been sent." not in text_of(again)
    assert 'name="message"' in again.content.decode()


def test_a_japanese_message_is_stored_with_its_language(
    client, contact_page, recipients, mailoutbox
):
    data = {**VALID, "name": "山田 花子", "subject": "訂正のお願い", "message": "日付が違います。"}
    response = client.post("/ja/contact/", data)

    assert response.status_code == 302
    assert response["Location"] == "/ja/contact/"
    message = ContactMessage.objects.get()
    assert (message.language, message.name, message.subject) == ("ja", "山田 花子", "訂正のお願い")
    assert "訂正のお願い" in mailoutbox[0].subject
    assert mailoutbox[0].message()["Reply-To"].endswith("<hanako@example.com>")
    with translation.override("ja"):
        sent = translation.gettext("Thank you. Your message has been sent.")
    assert sent in text_of(client.get("/ja/contact/"))


def test_line_breaks_in_name_and_subject_cannot_reach_the_e_mail_headers(
    client, english_contact, recipients, mailoutbox
):
    data = {**VALID, "name": "Hanako\r\nBcc: x@example.com", "subject": "Hi\nBcc: y@example.com"}
    client.post("/en/contact/", data)

    message = ContactMessage.objects.get()
    assert message.name == "Hanako Bcc: x@example.com"
    assert message.subject == "Hi Bcc: y@example.com"
    sent = email.message_from_bytes(mailoutbox[0].message().as_bytes())
    assert sent["Bcc"] is None
    # A long subject is folded on several lines in the raw header; decoded, it is one line.
    subject = str(email.header.make_header(email.header.decode_header(sent["Subject"])))
    assert "\n" not in subject
    assert "Hi Bcc: y@example.com" in subject


def test_without_recipients_the_message_is_stored_and_no_e_mail_sent(
    client, english_contact, settings, mailoutbox, caplog
):
    settings.UKIYO_CONTACT_RECIPIENTS = []
    with caplog.at_level(logging.WARNING, logger="home.contact"):
        response = client.post("/en/contact/", VALID)

    assert response.status_code == 302
    assert ContactMessage.objects.count() == 1
    assert mailoutbox == []
    assert "CONTACT_EMAIL" in caplog.text
    assert "Thank you. Your message has been sent." in text_of(client.get("/en/contact/"))


def test_a_filled_robot_trap_looks_sent_but_nothing_is_kept_or_sent(
    client, english_contact, recipients, mailoutbox
):
    response = client.post("/en/contact/", {**VALID, "website": "https://spam.example"})

    assert response.status_code == 302
    assert ContactMessage.objects.count() == 0
    assert mailoutbox == []
    assert "Thank you. Your message has been sent." in text_of(client.get("/en/contact/"))


class BrokenSMTPBackend(BaseEmailBackend):
    """An SMTP server that cannot be reached."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "Service not available")


def test_a_mail_server_that_is_down_loses_nothing(
    client, english_contact, recipients, settings, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenSMTPBackend"
    with caplog.at_level(logging.ERROR, logger="home.contact"):
        response = client.post("/en/contact/", VALID)

    assert response.status_code == 302
    message = ContactMessage.objects.get()
    assert message.message == VALID["message"]
    assert f"Contact message {message.pk} stored, but its e-mail" in caplog.text
    assert "Thank you. Your message has been sent." in text_of(client.get("/en/contact/"))


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "hanako@"}, "email", "Enter a valid email address."),
        ({"email": "hanako example.com"}, "email", "Enter a valid email address."),
        ({"subject": ""}, "subject", "This field is required."),
        ({"message": ""}, "message", "This field is required."),
        ({"message": "\n \n"}, "message", "This field is required."),
    ],
)
def test_missing_or_invalid_input_is_explained_and_kept(
    client, english_contact, recipients, mailoutbox, changes, field, error
):
    data = {**VALID, **changes}
    response = client.post("/en/contact/", data)

    assert response.status_code == 400
    assert errors_at(response, field) == [error]
    text = text_of(response)
    assert "Your message has not been sent yet." in text
    assert error in text
    for name in ("name", "email", "subject", "message"):
        if name not in changes:
            assert field_value(response, name) == data[name], name
    assert 'aria-invalid="true"' in re.search(
        rf'<(?:input|textarea)[^>]* name="{field}"[^>]*>', response.content.decode()
    ).group(0)
    assert ContactMessage.objects.count() == 0
    assert mailoutbox == []
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 100), ("subject", 150), ("message", 5000)],
)
def test_oversized_fields_are_refused_and_kept(
    client, english_contact, recipients, mailoutbox, field, limit
):
    data = {**VALID, field: "x" * (limit + 1)}
    response = client.post("/en/contact/", data)

    assert response.status_code == 400
    assert errors_at(response, field) == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]
    assert field_value(response, field) == "x" * (limit + 1)
    assert ContactMessage.objects.count() == 0
    assert mailoutbox == []


def test_an_oversized_e_mail_address_is_refused(client, english_contact, recipients):
    address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".example"
    response = client.post("/en/contact/", {**VALID, "email": address})

    assert response.status_code == 400
    assert errors_at(response, "email")
    assert field_value(response, "email") == address
    assert ContactMessage.objects.count() == 0


def test_browser_line_breaks_count_once_against_the_limit(client, english_contact, recipients):
    # Browsers send "\r\n" but count it as one character against maxlength.
    text = "abcd\r\n" * 833 + "abcd"
    assert len(text) > 5000 >= len(text.replace("\r\n", "\n"))

    response = client.post("/en/contact/", {**VALID, "message": text})

    assert response.status_code == 302
    assert ContactMessage.objects.get().message == text.replace("\r\n", "\n")


def test_errors_are_in_the_readers_language(client, contact_page, recipients):
    response = client.post("/ja/contact/", {**VALID, "email": "hanako@", "subject": ""})

    assert response.status_code == 400
    assert errors_at(response, "email") == ["有効なメールアドレスを入力してください。"]
    assert errors_at(response, "subject") == ["この項目は必須です"]
    assert field_value(response, "name") == VALID["name"]


# -- rate limit -------------------------------------------------------------------------------


def test_too_many_messages_from_one_address_get_a_429_and_keep_the_text(
    client, english_contact, recipients, settings, mailoutbox
):
    settings.UKIYO_CONTACT_RATE_LIMIT = "2/600"
    for _ in range(2):
        assert client.post("/en/contact/", VALID).status_code == 302

    third = {**VALID, "subject": "One more thing", "message": "Also the photo caption."}
    response = client.post("/en/contact/", third)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 600
    assert "You have sent several messages in a short time" in text_of(response)
    for name in ("name", "email", "subject", "message"):
        assert field_value(response, name) == third[name], name
    assert ContactMessage.objects.count() == 2
    assert len(mailoutbox) == 2
    assert "private" in response["Cache-Control"]

    # Another reader, at another address, is not held back.
    other = client.post("/en/contact/", third, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302
    assert ContactMessage.objects.count() == 3


def test_corrections_of_invalid_input_do_not_count_against_the_limit(
    client, english_contact, recipients, settings
):
    settings.UKIYO_CONTACT_RATE_LIMIT = "1/600"
    for _ in range(3):
        assert client.post("/en/contact/", {**VALID, "email": "nope"}).status_code == 400

    assert client.post("/en/contact/", VALID).status_code == 302
    assert client.post("/en/contact/", VALID).status_code == 429


def test_robots_count_against_the_limit(client, english_contact, recipients, settings):
    settings.UKIYO_CONTACT_RATE_LIMIT = "1/600"
    assert client.post("/en/contact/", {**VALID, "website": "x"}).status_code == 302
    assert client.post("/en/contact/", VALID).status_code == 429
    assert ContactMessage.objects.count() == 0


# -- caching ----------------------------------------------------------------------------------


def test_only_the_contact_page_is_private(client, english_contact):
    response = client.get("/en/contact/")
    assert "private" in response["Cache-Control"]

    for url in ("/en/", "/ja/"):
        other = client.get(url)
        assert other.status_code == 200
        assert "private" not in other.get("Cache-Control", ""), url


# -- the admin --------------------------------------------------------------------------------


@pytest.fixture
def received(english_contact, contact_page):
    now = timezone.now()
    older = ContactMessage.objects.create(
        page=contact_page,
        language="ja",
        name="山田 花子",
        email="hanako@example.com",
        subject="訂正のお願い",
        message="日付が違います。",
        submitted_at=now - timedelta(days=2),
    )
    newer = ContactMessage.objects.create(
        page=english_contact,
        language="en",
        name="John Smith",
        email="john@example.com",
        subject='=HYPERLINK("https://evil.example")',
        message="Line one.\nLine two, <b>the whole</b> message.",
        submitted_at=now - timedelta(hours=1),
    )
    return older, newer


def test_editors_list_the_messages_newest_first(editor, received):
    _, newer = received
    response = editor.get(reverse("contact_messages:index"))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("john@example.com") < content.index("hanako@example.com")
    for expected in ("John Smith", "山田 花子", "English", "日本語", "Contact messages"):
        assert expected in content, expected
    assert reverse("contact_messages:inspect", args=[newer.pk]) in content
    assert "/admin/contact_messages/new/" not in content
    assert "/admin/contact_messages/edit/" not in content


def test_editors_search_and_filter_by_language(editor, received):
    url = reverse("contact_messages:index")

    found = editor.get(url, {"q": "Smith"}).content.decode()
    assert "john@example.com" in found and "hanako@example.com" not in found

    japanese = editor.get(url, {"language": "ja"}).content.decode()
    assert "hanako@example.com" in japanese and "john@example.com" not in japanese


def test_editors_read_the_whole_message(editor, received):
    _, newer = received
    response = editor.get(reverse("contact_messages:inspect", args=[newer.pk]))

    assert response.status_code == 200
    raw = response.content.decode()
    content = html.unescape(raw)
    for expected in ("John Smith", "john@example.com", "English", "Contact"):
        assert expected in content, expected
    # Line breaks as the reader typed them, and nothing of it run as HTML.
    assert "Line one.<br>Line two, &lt;b&gt;the whole&lt;/b&gt; message." in raw


def test_messages_cannot_be_added_or_edited(editor, received):
    older, _ = received
    with pytest.raises(NoReverseMatch):
        reverse("contact_messages:add")
    with pytest.raises(NoReverseMatch):
        reverse("contact_messages:edit", args=[older.pk])
    assert editor.get("/admin/contact_messages/new/").status_code == 404
    assert editor.get(f"/admin/contact_messages/edit/{older.pk}/").status_code == 404
    assert editor.post(f"/admin/contact_messages/edit/{older.pk}/", {}).status_code == 404


def test_editors_delete_a_message(editor, received):
    older, newer = received
    response = editor.post(reverse("contact_messages:delete", args=[older.pk]))

    assert response.status_code == 302
    assert list(ContactMessage.objects.all()) == [newer]


def test_the_export_cannot_run_formulas(editor, received):
    response = editor.get(reverse("contact_messages:index"), {"export": "csv"})

    assert response.status_code == 200
    csv = b"".join(response.streaming_content).decode()
    assert "john@example.com" in csv and "hanako@example.com" in csv
    assert "'=HYPERLINK" in csv
    assert ",=HYPERLINK" not in csv and '"=HYPERLINK' not in csv

    xlsx = editor.get(reverse("contact_messages:index"), {"export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].endswith('contact-messages.xlsx"')


def admin_with(client, *codenames):
    """A client logged in as a non-superuser who may use the admin, with these permissions."""
    user = get_user_model().objects.create_user("desk", "desk@example.com", "pw")
    # The English admin, so that menu labels compare as written.
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    group = Group.objects.create(name="Desk")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(codename__in=codenames),
    )
    user.groups.add(group)
    client.force_login(user)
    return client


def test_without_the_view_permission_the_messages_stay_hidden(client, received):
    desk = admin_with(client)

    assert desk.get(reverse("contact_messages:index")).status_code == 302
    assert "Contact messages" not in desk.get(reverse("wagtailadmin_home")).content.decode()


def test_the_view_permission_opens_the_messages(client, received):
    older, _ = received
    desk = admin_with(client, "view_contactmessage")

    assert "Contact messages" in desk.get(reverse("wagtailadmin_home")).content.decode()
    assert desk.get(reverse("contact_messages:index")).status_code == 200
    assert desk.get(reverse("contact_messages:inspect", args=[older.pk])).status_code == 200
    # Viewing is not deleting.
    assert desk.post(reverse("contact_messages:delete", args=[older.pk])).status_code == 302
    assert ContactMessage.objects.filter(pk=older.pk).exists()


# -- the demo ---------------------------------------------------------------------------------


def demo_loader(locales, *languages):
    from demo.loader import DemoLoader

    loader = DemoLoader()
    loader.locales = {code: locales[code] for code in languages}
    return loader


def test_the_demo_contact_page_has_the_form_in_every_language_it_loads(home, locales):
    loader = demo_loader(locales, "ja", "en")
    pages = loader.create_legal_pages(home)
    loader.set_footer_links(home, pages)
    loader.create_legal_pages(home)  # again: nothing new

    contact = pages["contact"]
    assert isinstance(contact, ContactPage)
    assert ContactPage.objects.count() == 2
    english = ContactPage.objects.get(locale=locales["en"])
    texts = loader.texts("en")["legal"]["contact"]
    assert (english.title, english.thank_you) == (texts["title"], texts["thank_you"])
    assert english.get_parent().specific.locale == locales["en"]
    assert StandardPage.objects.filter(slug="contact").count() == 0
    footer = FooterLinks.for_site(Site.objects.get(is_default_site=True))
    assert footer.contact_page_id == contact.pk


def test_the_demo_refuses_an_old_plain_contact_page(home, locales):
    from demo.loader import DemoContentError

    StandardPageFactory(parent=home, slug="contact", title="お問い合わせ")

    with pytest.raises(DemoContentError, match="make reset-demo"):
        demo_loader(locales, "ja").create_legal_pages(home)
    assert ContactPage.objects.count() == 0


@pytest.mark.parametrize("value", ["5", "five/600", "0/600", "5/0", "5/600/1", ""])
def test_a_malformed_rate_limit_is_reported_by_the_system_checks(settings, value):
    from home.checks import contact_rate_limit

    settings.UKIYO_CONTACT_RATE_LIMIT = value
    errors = contact_rate_limit(None)

    assert [error.id for error in errors] == ["ukiyo.E001"]
    assert "'count/seconds'" in errors[0].msg


def test_the_default_rate_limit_passes_the_checks(settings):
    from home.checks import contact_rate_limit

    settings.UKIYO_CONTACT_RATE_LIMIT = "5/600"
    assert contact_rate_limit(None) == []


def test_an_address_with_a_non_ascii_domain_is_answered_and_e_mailed(
    client, english_contact, recipients, mailoutbox
):
    response = client.post("/en/contact/", {**VALID, "email": "hanako@例え.jp"})

    assert response.status_code == 302
    assert ContactMessage.objects.get().email == "hanako@例え.jp"
    # The domain travels in its ASCII form (punycode); the reply still reaches the reader.
    assert len(mailoutbox[0].reply_to) == 1
    assert "xn--r8jz45g.jp" in mailoutbox[0].reply_to[0]


def test_messages_sent_at_once_cannot_all_pass_the_limit(client, english_contact, settings):
    """The limit is checked on the count after this message's increment, not before it."""
    settings.UKIYO_CONTACT_RATE_LIMIT = "2/600"
    from home.contact import SubmissionRateLimit

    request = client.get("/en/contact/").wsgi_request
    # Three requests that all passed the "exceeded?" check before any was counted:
    limits = [SubmissionRateLimit(request) for _ in range(3)]
    assert not any(limit.exceeded() for limit in limits)
    assert [limit.hit() for limit in limits] == [True, True, False]


def test_old_contact_messages_are_purged_after_the_retention_period(contact_page):
    from io import StringIO

    from django.core.management import CommandError, call_command

    def sent(days_ago):
        return ContactMessage.objects.create(
            page=contact_page,
            language="ja",
            name="Hanako",
            email="hanako@example.com",
            subject=f"{days_ago} days",
            message="Hello.",
            submitted_at=timezone.now() - timedelta(days=days_ago),
        )

    old, recent = sent(731), sent(729)
    out = StringIO()
    call_command("purge_contact_messages", "--dry-run", stdout=out)
    assert "1 contact messages are older than 730 days." in out.getvalue()
    assert ContactMessage.objects.count() == 2

    call_command("purge_contact_messages", stdout=out)
    assert list(ContactMessage.objects.all()) == [recent]
    assert not ContactMessage.objects.filter(pk=old.pk).exists()

    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_contact_messages", "--days", "0")


# -- Redis out of reach (docs/configuration.md, "Redis") -------------------------------------


def test_the_limit_counts_in_redis(client, english_contact, recipients, settings, redis_caches):
    settings.UKIYO_CONTACT_RATE_LIMIT = "1/600"
    assert client.post("/en/contact/", VALID).status_code == 302
    assert client.post("/en/contact/", VALID).status_code == 429
    assert redis_caches.keys("*ukiyo:contact:*") > 0


def test_messages_are_still_taken_while_redis_is_out_of_reach(
    client, english_contact, recipients, settings, mailoutbox, redis_caches
):
    settings.UKIYO_CONTACT_RATE_LIMIT = "1/600"
    redis_caches.stop()
    assert client.get("/en/contact/").status_code == 200
    for _ in range(3):
        # Nothing can be counted: the reader's message is kept and sent (the limit fails open).
        assert client.post("/en/contact/", VALID).status_code == 302
    assert ContactMessage.objects.count() == 3
    assert len(mailoutbox) == 3
