"""The site's own pages: the home page of each language, plain pages, the contact page."""

import logging
from http import HTTPMethod

from django.conf import settings
from django.contrib import messages
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index
from wagtail_localize.fields import TranslatableField

from core import pagecache
from core.models import BasePage
from home.blocks import PlainBodyBlock
from home.contact import SubmissionRateLimit, notify_newsroom
from home.forms import ContactForm

logger = logging.getLogger(__name__)


def plain_body():
    """The body of the site's plain pages: headings and paragraphs."""
    return StreamField(PlainBodyBlock(), blank=True, verbose_name=_("body"))


class HomePage(BasePage):
    """The front page of one language: latest and featured articles.

    One per locale, each the root of that language's tree (created by translating the
    source-language home page), so it has no ``max_count``.
    """

    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    intro = RichTextField(_("introduction"), features=settings.RICH_TEXT_INLINE, blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["news.ArticleIndexPage", "home.StandardPage", "home.ContactPage"]

    content_panels = [*BasePage.content_panels, FieldPanel("tagline"), FieldPanel("intro")]

    translatable_fields = [
        *BasePage.translatable_fields,
        TranslatableField("tagline"),
        TranslatableField("intro"),
    ]

    api_fields = [*BasePage.api_fields, APIField("tagline"), APIField("intro")]

    class Meta:
        verbose_name = _("home page")

    FEATURED_COUNT = 3
    LATEST_COUNT = 6

    # news.models is imported where it is used: page types register in the order their
    # modules load, which orders them in the admin and in API v3's page type unions, and the
    # site's own pages (this app) come first.

    def get_context(self, request, *args, **kwargs):
        from news.models import ArticlePage

        context = super().get_context(request, *args, **kwargs)
        pagecache.depends_on(pagecache.list_tag(self.language_code))
        articles = ArticlePage.objects.for_listing(locale=self.locale_id)
        # The newest featured articles lead, however old; the newest of the others follow.
        # Both lists in one query (and their card images' renditions in a second). The
        # subqueries choose among the live and public articles; the outer query need not
        # say it again.
        featured_ids = articles.filter(featured=True).values("pk")[: self.FEATURED_COUNT]
        latest_ids = articles.exclude(pk__in=featured_ids).values("pk")[: self.LATEST_COUNT]
        shown = list(
            ArticlePage.objects.filter(Q(pk__in=featured_ids) | Q(pk__in=latest_ids)).as_cards()
        )
        # Newest first, so the first featured ones found are the newest featured ones; an
        # older featured article beyond them is among the latest.
        featured = [article for article in shown if article.featured][: self.FEATURED_COUNT]
        latest = [article for article in shown if article not in featured]
        if not featured and latest:
            featured = [latest.pop(0)]
        context["lead_article"] = featured[0] if featured else None
        context["featured_articles"] = featured[1:]
        context["latest_articles"] = latest
        return context


class StandardPage(BasePage):
    """A plain page of headings and paragraphs: legal texts, about, contact details."""

    summary = models.TextField(_("summary"), blank=True)
    body = plain_body()

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    content_panels = [*BasePage.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    translatable_fields = [
        *BasePage.translatable_fields,
        TranslatableField("summary"),
        TranslatableField("body"),
    ]

    api_fields = [*BasePage.api_fields, APIField("summary"), APIField("body")]

    class Meta:
        verbose_name = _("standard page")


class ContactPage(BasePage):
    """The contact form: the newsroom's introduction (``body``), then the form.

    A valid message is stored (``ContactMessage``) before the newsroom is e-mailed, so a mail
    server that is down loses nothing. The reader always lands back on the page (POST,
    redirect, GET) with a confirmation.
    """

    summary = models.TextField(_("summary"), blank=True)
    body = plain_body()
    thank_you = models.TextField(
        _("thank-you text"),
        blank=True,
        max_length=500,
        help_text=_("Shown in place of the form once a reader has sent a message."),
    )

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    # The footer links one contact page; each language has it once, as a translation.
    max_count_per_parent = 1
    allowed_http_methods = [HTTPMethod.GET, HTTPMethod.HEAD, HTTPMethod.OPTIONS, HTTPMethod.POST]

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("thank_you"),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    translatable_fields = [
        *BasePage.translatable_fields,
        TranslatableField("summary"),
        TranslatableField("body"),
        TranslatableField("thank_you"),
    ]

    api_fields = [
        *BasePage.api_fields,
        APIField("summary"),
        APIField("body"),
        APIField("thank_you"),
    ]

    class Meta:
        verbose_name = _("contact page")

    SENT_MESSAGE = _("Thank you. Your message has been sent.")
    SENT_TAG = "contact-sent"

    # Editors preview the form, and the thank-you text a reader sees once it is sent.
    preview_modes = [("", _("Form")), ("sent", _("After sending"))]

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context.update(form=ContactForm(), sent=mode_name == "sent", rate_limited=False)
        return context

    def serve(self, request, *args, **kwargs):
        if not hasattr(request, "is_preview"):
            request.is_preview = False
        if request.method == "POST":
            response = self.receive(request, ContactForm(request.POST))
        else:
            response = self.render_form(request, ContactForm(), sent=self.just_sent(request))
        # The form holds a CSRF token tied to this reader's cookie: no shared cache may keep
        # the page, and the browser asks again rather than showing a stale token.
        patch_cache_control(response, private=True, no_cache=True)
        return response

    def receive(self, request, form):
        rate_limit = SubmissionRateLimit(request)
        if rate_limit.exceeded():
            return self.rate_limited(request, form, rate_limit)
        if not form.is_valid():
            # The form again, with the reader's text and what to correct; 400 tells scripts
            # and monitoring that nothing was sent.
            return self.render_form(request, form, status=400)
        if not rate_limit.hit():
            return self.rate_limited(request, form, rate_limit)
        if form.is_from_robot():
            # The same answer as for a person, so the robot learns nothing.
            logger.info("Contact form on page %s: a robot's submission was dropped.", self.pk)
        else:
            message = ContactMessage.objects.create(
                page=self, language=self.locale.language_code, **form.message_fields()
            )
            notify_newsroom(message, request)
        messages.success(request, self.SENT_MESSAGE, extra_tags=self.SENT_TAG)
        # The browser keeps the form's "#contact-form" on the redirect; the page that follows
        # has no such anchor, so it opens at the top, where the confirmation is.
        return redirect(self.get_url(request) or request.path)

    def rate_limited(self, request, form, rate_limit):
        response = self.render_form(request, form, status=429, rate_limited=True)
        response["Retry-After"] = str(rate_limit.retry_after())
        return response

    @classmethod
    def just_sent(cls, request):
        """True right after the redirect that follows a sent message."""
        return any(
            cls.SENT_TAG in message.extra_tags.split() for message in messages.get_messages(request)
        )

    def render_form(self, request, form, *, status=200, sent=False, rate_limited=False):
        context = self.get_context(request)
        context.update(form=form, sent=sent, rate_limited=rate_limited)
        return TemplateResponse(request, self.get_template(request), context, status=status)


class ContactMessage(models.Model):
    """A message a reader sent with the contact form, kept whether or not it was e-mailed."""

    page = models.ForeignKey(
        ContactPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_messages",
        verbose_name=_("contact page"),
    )
    language = models.CharField(_("language"), max_length=20)
    name = models.CharField(_("name"), max_length=ContactForm.NAME_MAX_LENGTH)
    email = models.EmailField(_("e-mail address"), max_length=ContactForm.EMAIL_MAX_LENGTH)
    subject = models.CharField(_("subject"), max_length=ContactForm.SUBJECT_MAX_LENGTH)
    message = models.TextField(_("message"), max_length=ContactForm.MESSAGE_MAX_LENGTH)
    submitted_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self):
        return self.subject

    def get_language_display(self):
        """The language the reader wrote in, named in that language (as in the language menu).

        Not a ``choices`` field: the site's languages come from settings, and a change there
        must not need a migration.
        """
        return dict(settings.LANGUAGES).get(self.language, self.language)
