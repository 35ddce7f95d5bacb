import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format, get_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale
from wagtail.permissions import page_permission_policy

from news.models import ArticleAuthor, ArticlePage, Author, Category

from .menu import may_explore_pages
from .schedule import STATES, between, in_state, placed, with_schedule

#: months a newsroom plans in; beyond them a date's time zone arithmetic stops making sense
YEARS = range(1900, 3000)
NUMBER = re.compile(r"[0-9]{1,4}")


def explorable_articles(user):
    """The articles ``user`` may edit or at least see in the page explorer, aliases aside."""
    articles = ArticlePage.objects.filter(alias_of__isnull=True)
    if user.is_active and user.is_superuser:
        return articles
    return articles.filter(pk__in=page_permission_policy.explorable_instances(user).values("pk"))


def default_language_snippets(model):
    """Categories or authors in the default language: their slugs are the same in every
    language, so one of them stands for all its translations in a filter."""
    return list(model.objects.filter(locale=Locale.get_default()).order_by("name"))


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    entries: list = field(default_factory=list)


class CalendarView(WagtailAdminTemplateMixin, TemplateView):
    """The articles of a month by day: scheduled on their go-live day, published on their
    publication date, drafts on the publication date of their latest draft (see
    ``newsroom.schedule``), in the admin user's time zone."""

    template_name = "newsroom/calendar.html"
    page_title = gettext_lazy("Editorial calendar")
    header_icon = "calendar"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        if not may_explore_pages(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def warn(self, message):
        messages.warning(self.request, message)

    def get_month(self, today):
        """The month asked for (``?year=&month=``); a value that is not one: this month."""
        year = self.request.GET.get("year", "")
        month = self.request.GET.get("month", "")
        if not year and not month:
            return today.year, today.month
        if (
            NUMBER.fullmatch(year or str(today.year))
            and NUMBER.fullmatch(month or str(today.month))
            and int(year or today.year) in YEARS
            and 1 <= int(month or today.month) <= 12
        ):
            return int(year or today.year), int(month or today.month)
        self.warn(
            _("There is no month %(month)s of year %(year)s to show: showing this month.")
            % {"month": month, "year": year}
        )
        return today.year, today.month

    def choose(self, name, known, label):
        """The value of filter ``name`` if it is one of ``known``; else none, with a message."""
        value = self.request.GET.get(name, "")
        if value and value not in known:
            self.warn(
                _("There is no %(filter)s “%(value)s” to filter by: showing them all.")
                % {"filter": label, "value": value}
            )
            return ""
        return value

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        year, month = self.get_month(today)
        locales = list(Locale.objects.order_by("pk"))
        categories = default_language_snippets(Category)
        authors = default_language_snippets(Author)
        language = self.choose("language", {loc.language_code for loc in locales}, _("language"))
        state = self.choose("state", STATES, _("state"))
        category = self.choose("category", {c.slug for c in categories}, _("category"))
        author = self.choose("author", {a.slug for a in authors}, _("author"))

        first = date(year, month, 1)
        after = date(year + month // 12, month % 12 + 1, 1)
        start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
        end = timezone.make_aware(datetime.combine(after, datetime.min.time()))

        articles = with_schedule(explorable_articles(self.request.user))
        if language:
            articles = articles.filter(locale__language_code=language)
        if state:
            articles = in_state(articles, state)
        if category:
            articles = articles.filter(category__slug=category)
        if author:
            articles = articles.filter(
                pk__in=ArticleAuthor.objects.filter(author__slug=author).values("page_id")
            )
        articles = between(articles, start, end).select_related("locale").defer_streamfields()

        entries = sorted(
            (entry for entry in map(placed, articles) if first <= entry.day < after),
            key=lambda entry: (entry.moment, entry.article.pk),
        )
        by_day = {}
        for entry in entries:
            by_day.setdefault(entry.day, []).append(entry)

        # Django's FIRST_DAY_OF_WEEK counts from Sunday (0), Python's calendar from Monday (0).
        first_weekday = (int(get_format("FIRST_DAY_OF_WEEK")) - 1) % 7
        weeks = calendar.Calendar(first_weekday).monthdatescalendar(year, month)
        days = [
            Day(day, day.month == month, day == today, by_day.get(day, []))
            for week in weeks
            for day in week
        ]
        weekdays = [WEEKDAYS_ABBR[(first_weekday + i) % 7] for i in range(7)]

        filters = {
            "language": language,
            "state": state,
            "category": category,
            "author": author,
        }
        previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
        return super().get_context_data(
            days=days,
            weekdays=weekdays,
            entries=entries,
            counts={
                key: (label, sum(1 for entry in entries if entry.state == key))
                for key, label in STATES.items()
            },
            month_label=date_format(first, "YEAR_MONTH_FORMAT"),
            previous_url=self.month_url(previous, filters) if previous.year in YEARS else None,
            previous_label=date_format(previous, "YEAR_MONTH_FORMAT"),
            next_url=self.month_url(after, filters) if after.year in YEARS else None,
            next_label=date_format(after, "YEAR_MONTH_FORMAT"),
            today_url=self.month_url(today, filters),
            is_this_month=(year, month) == (today.year, today.month),
            year=year,
            month=month,
            filters=filters,
            language_options=[(loc.language_code, str(loc)) for loc in locales],
            states=STATES,
            category_options=[(category.slug, category.name) for category in categories],
            author_options=[(author.slug, author.name) for author in authors],
            time_zone=timezone.get_current_timezone_name(),
            **kwargs,
        )

    @staticmethod
    def month_url(day, filters):
        query = {"year": day.year, "month": day.month}
        query.update((name, value) for name, value in filters.items() if value)
        return "?" + urlencode(query)
