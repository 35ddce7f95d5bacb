from core.forms import BasePageForm

from . import citations


class ArticlePageForm(BasePageForm):
    """The article editor's form (and the v3 API's, which uses the same one).

    It validates the body knowing how many references the article will have, so that a
    citation of a missing source is reported at the block that cites it, in the same round as
    every other error of the form (``news.citations.reference_list_of``).
    """

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
