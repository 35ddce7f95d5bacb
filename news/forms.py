from django.utils.translation import gettext_lazy as _

from core.forms import BasePageForm

from . import citations

DATES = ("display_date", "updated_date", "go_live_at")


class ArticlePageForm(BasePageForm):
    """The article editor's form (and the v3 API's, which uses the same one).

    - It validates the body knowing how many references the article will have, so that a
      citation of a missing source is reported at the block that cites it, in the same round
      as every other error of the form (``news.citations.reference_list_of``).
    - Publishing applies ``ArticlePage.hold_until_dates`` here. The publish action would apply
      it anyway; applied here, the editor's page knows the go-live it is published with, so
      Wagtail says "scheduled", not "published", and the publishing schedule shows the moment.
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

    def full_clean(self):
        with citations.reference_list_of(self.reference_count()):
            super().full_clean()

    def reference_count(self):
        """How many references the article will have once this form is saved."""
        if not self.is_bound:
            return None
        field = self.fields.get("references")
        if field is None:  # a v3 PATCH of other fields: the references stay as they are
            return len(self.instance.references)
        try:
            sent = field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix("references")
            )
        except (KeyError, ValueError, TypeError):
            # Malformed form data: the references field reports it itself.
            return None
        return len(sent)

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
