"""Several workers empty the renditions queue at once: each task runs once, each rendition is
made once.

Runs ``manage.py`` in subprocesses against a PostgreSQL cluster of its own (a copy of the
suite's migrated database): twelve articles, each with its own lead image, are published,
and two workers (``db_worker --batch``, as production starts them but stopping when the
queue is empty) take the twelve tasks between them.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.postgres import copy_of_test_database
from tests.sqlite import ROOT

pytestmark = pytest.mark.django_db

ARTICLES = 12

PUBLISH = """
from django.core.files.images import ImageFile
from PIL import Image as PILImage
import io
from wagtail.images.models import Image
from wagtail.models import Page
from news.models import ArticleIndexPage, ArticlePage
home = Page.objects.get(depth=2).specific
index = home.add_child(instance=ArticleIndexPage(title="記事", slug="articles"))
for n in range({articles}):
    picture = io.BytesIO()
    PILImage.new("RGB", (900, 600), (20 * n, 80, 160)).save(picture, "JPEG")
    photo = ImageFile(picture, name=f"photo-{{n}}.jpg")
    image = Image.objects.create(title=f"写真 {{n}}", file=photo)
    article = index.add_child(instance=ArticlePage(
        title=f"流星群 {{n}}", slug=f"meteor-{{n}}", summary="要約。", lead_image=image, live=False,
    ))
    article.save_revision().publish()
"""

REPORT = """
import json
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from wagtail.images.models import Rendition
tasks = DBTaskResult.objects.filter(backend_name="worker", queue_name="renditions")
print(json.dumps({
    "tasks": [(task.status, task.worker_ids) for task in tasks],
    "images_with_renditions": Rendition.objects.values("image").distinct().count(),
    "repeated": Rendition.objects.values("image", "filter_spec", "focal_point_key")
        .annotate(n=Count("id")).filter(n__gt=1).count(),
}))
"""


@pytest.fixture(scope="module")
def database(django_db_setup):
    with copy_of_test_database() as cluster:
        yield cluster


def manage(env, *arguments, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip


def test_two_workers_run_each_task_once_and_make_each_rendition_once(
    database, tmp_path, record_property
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database.url,
        # The test settings keep media in a folder per name: this test's own.
        "PYTEST_XDIST_WORKER": f"several-workers-{tmp_path.name}",
    }
    published = manage(env, "shell", "-v0", "-c", PUBLISH.format(articles=ARTICLES))
    assert published.returncode == 0, published.stderr[-3000:]

    command = [sys.executable, "manage.py", "db_worker", "--backend", "worker", "--queue-name",
               "renditions", "--batch", "--no-startup-delay", "--no-reload"]  # fmt: skip
    workers = [
        subprocess.Popen(
            [*command, "--worker-id", f"worker-{n}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in (1, 2)
    ]
    for worker in workers:
        output, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0, output[-3000:]

    report = manage(env, "shell", "-v0", "-c", REPORT)
    assert report.returncode == 0, report.stderr[-3000:]
    found = json.loads(report.stdout)
    assert len(found["tasks"]) == ARTICLES
    assert all(status == "SUCCESSFUL" for status, _ in found["tasks"]), found["tasks"]
    # Each task claimed by one worker only, and both workers took some.
    assert all(len(worker_ids) == 1 for _, worker_ids in found["tasks"]), found["tasks"]
    by_worker = {}
    for _, (worker_id,) in found["tasks"]:
        by_worker[worker_id] = by_worker.get(worker_id, 0) + 1
    assert set(by_worker) == {"worker-1", "worker-2"}, by_worker
    assert found["images_with_renditions"] == ARTICLES
    assert found["repeated"] == 0
    record_property("renditions", f"tasks run by each worker: {by_worker}")
