"""Rebuilding the search index through the worker, in chunks that several workers share.

``manage.py rebuild_search_index --in-worker`` queues one ``reindex_pages`` task per chunk of
pages (on the worker's ``search`` queue) instead of writing every page itself: on a large
archive (100,000 articles take about twelve minutes in one process) the workers running on
several machines share the chunks. A chunk is a range of ids of one page type, written with
the same ``store.add`` the command uses, so running one twice, or two at once, writes the
same rows.

Each chunk, once written, makes the searches and lists of its pages' languages stale in the
page cache, and the kept result counts: readers' searches meanwhile read a half-written
index, as they do while the command runs in one process.

Queued rows name the task by its import path, ``core.fulltext.tasks.reindex_pages``: it must
not move while tasks may be waiting.
"""

from django.apps import apps
from django_tasks import task
from wagtail.models import Locale

from core import counts, pagecache

from . import store


@task(backend="worker", queue_name="search")
def reindex_pages(model_label, first_pk, last_pk):
    """Write into the index the pages of type ``model_label`` whose ids are from
    ``first_pk`` to ``last_pk``; how many there were (run by the worker)."""
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return 0
    pages = list(
        model.objects.exact_type(model).filter(pk__gte=first_pk, pk__lte=last_pk).order_by("pk")
    )
    store.add(pages)
    languages = Locale.objects.filter(pk__in={page.locale_id for page in pages}).values_list(
        "language_code", flat=True
    )
    counts.forget()
    pagecache.invalidate([pagecache.list_tag(language) for language in languages])
    return len(pages)
