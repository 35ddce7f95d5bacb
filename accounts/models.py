"""What ukiyo keeps about a reader besides the login: a language and saved articles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .languages import current_language


class ReaderProfile(models.Model):
    """A reader's preferences; one per user.

    Created at signup in the language of the signup page; users who existed before (editors,
    older readers) get one on first use (``for_user``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reader_profile",
        verbose_name=_("user"),
    )
    # No choices here: the form offers settings.LANGUAGES, so that adding a language needs
    # no migration.
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        verbose_name = _("reader profile")
        verbose_name_plural = _("reader profiles")

    def __str__(self):
        return str(self.user)

    @classmethod
    def for_user(cls, user, language=None):
        profile, _created = cls.objects.get_or_create(
            user=user, defaults={"language": language or current_language()}
        )
        return profile


class SavedArticleQuerySet(models.QuerySet):
    def for_article(self, user, article):
        """The user's saves of ``article`` in any of its languages."""
        return self.filter(user=user, article__translation_key=article.translation_key)


class SavedArticle(models.Model):
    """An article a reader saved to read later.

    The article is saved in the language the reader read it in, and recognised as saved in
    all its translations (through the page's ``translation_key``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_articles",
        verbose_name=_("user"),
    )
    article = models.ForeignKey(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("article"),
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    objects = SavedArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved article")
        verbose_name_plural = _("saved articles")
        ordering = ["-saved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="unique_saved_article")
        ]

    def __str__(self):
        return f"{self.user} – {self.article_id}"
