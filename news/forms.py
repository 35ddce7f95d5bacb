from django.utils.translation import gettext_lazy as _

from core.forms import BasePageForm

DATES = ("display_date", "updated_date", "go_live_at")


class ArticlePageForm(BasePageForm):
    """The article editor: publishing applies ``ArticlePage.hold_until_dates`` in the form.

    The action would apply it anyway; applied here, the editor's page knows the go-live it is
    published with, so Wagtail says "scheduled", not "published", and the publishing schedule
    shows the moment.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "go_live_at" in self.fields:
            self.fields["go_live_at"].help_text = _(
                "Readers see the article from this time. It is never earlier than the "
                "publication date: an article with a future publication date goes live then, "
                "and for an article not yet published a later go-live becomes its publication "
                "date."
            )

    def clean(self):
        cleaned_data = super().clean()
        display_date, expire_at = cleaned_data.get("display_date"), cleaned_data.get("expire_at")
        if display_date and expire_at and display_date >= expire_at:
            self.add_error(
                "display_date",
                _(
                    "The publication date must be before the expiry date: readers would never "
                    "see the article."
                ),
            )
        if self.data.get("action-publish") and "display_date" in cleaned_data:
            page = self.instance
            for name in DATES:
                if name in self.fields:
                    setattr(page, name, cleaned_data.get(name))
            if page.hold_until_dates():
                for name in DATES:
                    if name in self.fields:
                        cleaned_data[name] = getattr(page, name)
        return cleaned_data
