"""A newsroom month, far enough ahead that scheduling in it is scheduling in the future.

March 2031, in Tokyo (the admin's default time zone):

- ``published``: live, publication date 10 March 09:00;
- ``scheduled``: never published, approved to go live on 15 March 06:30;
- ``draft``: never published, created for 1 March, its latest draft moved to 20 March;
- ``update``: live since 1 February, a change approved to go live on 25 March;
- ``english``: the English translation of ``published``, live, 10 March;
- ``late``: live, 31 March 20:00 UTC, which is 1 April 05:00 in Tokyo.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import translate_page
from tests.factories import ArticlePageFactory, AuthorFactory, add_author, paragraph, section

TOKYO = ZoneInfo("Asia/Tokyo")
UTC = ZoneInfo("UTC")


def at(day, hour=9, minute=0, month=3, zone=TOKYO):
    return datetime(2031, month, day, hour, minute, tzinfo=zone)


def article(index, title, slug, **fields):
    return ArticlePageFactory(
        parent=index,
        title=title,
        slug=slug,
        body=[section("見出し", [paragraph("段落。")])],
        references=[],
        **fields,
    )


def schedule(page, moment):
    page.go_live_at = moment
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def live_in_the_future(page):
    """``page`` live although its publication date is still to come.

    Publishing never makes such a page live (it is scheduled for its date);
    the factory writes its pages live directly, and so does this for a translation, so that
    one month of 2031 can hold live, scheduled and draft articles alike.
    """
    revision = page.latest_revision
    revision.approved_go_live_at = None
    revision.save(update_fields=["approved_go_live_at"])
    type(page).objects.filter(pk=page.pk).update(
        live=True, go_live_at=None, live_revision=revision, has_unpublished_changes=False
    )
    page.refresh_from_db()
    return page


@pytest.fixture
def month(index, english_tree, locales, category):
    published = article(
        index, "公開済みの記事", "published", display_date=at(10), category=category
    )
    add_author(published, AuthorFactory(name="山田 花子", slug="yamada", locale=locales["ja"]))
    scheduled = article(
        index, "予約された記事", "scheduled", live=False, display_date=at(15, 6, 30)
    )
    scheduled.save_revision()
    schedule(scheduled, at(15, 6, 30))
    draft = article(index, "下書きの記事", "draft", live=False, display_date=at(1))
    draft.display_date = at(20, 14)
    draft.save_revision()
    update = article(index, "更新予定の記事", "update", display_date=at(1, month=2))
    update.summary = "新しい要約。"
    schedule(update, at(25, 7))
    english = live_in_the_future(
        translate_page(published, locales["en"], title="A published article")
    )
    late = article(index, "月末の記事", "late", display_date=at(31, 20, zone=UTC))
    return {
        "published": published,
        "scheduled": scheduled,
        "draft": draft,
        "update": update,
        "english": english,
        "late": late,
    }
