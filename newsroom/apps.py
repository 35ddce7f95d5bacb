from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    """The newsroom's views of its articles: the editorial calendar and the article list."""

    name = "newsroom"
    verbose_name = _("Newsroom")
