from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.registry import register_setting
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import ConsentSettings, ConsentTexts

# Settings → Cookie consent: the policy version and the scripts that need consent, per site.
register_setting(ConsentSettings, icon="lock")


class ConsentTextsViewSet(SnippetViewSet):
    """The banner's texts, one per site and language, translated with wagtail-localize."""

    model = ConsentTexts
    icon = "lock"
    menu_label = _("Cookie banner")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["site", "locale", "title"]
    list_filter = ["locale", "site"]


register_snippet(ConsentTextsViewSet)
