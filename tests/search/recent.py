"""A search with more matches than the recent pages it ranks: the same articles on PostgreSQL
(``test_recent_first.py``) and on SQLite (its subprocess imports ``build``)."""

from datetime import timedelta

from django.utils import timezone

from core.models import SearchDocument
from tests.factories import ArticlePageFactory, paragraph, section

# (title, text, days ago): "comet" in two titles and three texts of equal length; the newest
# article does not have it.
ARTICLES = [
    ("Comet archive feature", "Astronomers kept every record.", 60),
    ("Harbour notes", "A comet was seen from the pier.", 1),
    ("Comet over the bay", "Crowds gathered on the shore.", 3),
    ("Night shift", "A comet was seen over the town.", 2),
    ("Quiet week", "A comet was seen by a few.", 10),
    ("Fishing report", "Boats came home full of fish.", 0.5),
]
# "comet" by relevance, the four newest articles being the recent pages: their matches, the
# title first, then the newest of the equals; then the older matches, the newest first.
RECENT_FIRST = [
    "Comet over the bay",
    "Harbour notes",
    "Night shift",
    "Quiet week",
    "Comet archive feature",
]


def build(index):
    """The articles under ``index``; returns how many of its language's newest pages to rank
    (``UKIYO_SEARCH_RECENT_PAGES``) for the four newest articles to be the last of them: the
    home page and All Articles, made now, are newer still."""
    now = timezone.now()
    pages = {
        title: ArticlePageFactory(
            parent=index,
            title=title,
            summary="Notes.",
            body=[section("Report", [paragraph(text)])],
            display_date=now - timedelta(days=days),
        )
        for title, text, days in ARTICLES
    }
    fourth = SearchDocument.objects.get(page=pages["Comet over the bay"])
    return SearchDocument.objects.filter(
        language_code=fourth.language_code, date__gte=fourth.date
    ).count()
