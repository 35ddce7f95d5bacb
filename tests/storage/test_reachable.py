"""``core.storage.reachable()``: whether the media storage can be used now, for a readiness
check; it answers quickly and never raises."""

import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.storage import reachable

from .conftest import free_port, use_bucket


def test_a_bucket_that_answers_is_reachable(bucket):
    assert reachable() is True


def test_a_storage_that_does_not_answer_is_not_reachable(bucket, settings):
    use_bucket(
        settings,
        MEDIA_BUCKET=bucket.name,
        MEDIA_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        MEDIA_REGION="us-east-1",
    )
    started = time.monotonic()

    assert reachable(timeout=1.0) is False
    # One attempt, within its timeouts: a readiness probe must not hang.
    assert time.monotonic() - started < 5


def test_a_missing_bucket_is_not_reachable(bucket, settings):
    use_bucket(
        settings,
        MEDIA_BUCKET="no-such-bucket",
        MEDIA_ENDPOINT_URL=bucket.endpoint,
        MEDIA_REGION="us-east-1",
    )
    assert reachable() is False


def test_a_bucket_that_comes_back_is_reachable_again(bucket):
    assert reachable() is True
    bucket.client.delete_bucket(Bucket=bucket.name)
    assert reachable() is False
    bucket.client.create_bucket(Bucket=bucket.name)
    assert reachable() is True


def test_media_root_is_reachable_while_ukiyo_may_write_there(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Not made yet: the first upload makes it.
    assert reachable() is True
    default_storage.save("original_images/a.txt", ContentFile(b"a"))
    assert reachable() is True


def test_media_root_under_a_file_is_not_reachable(settings, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    settings.MEDIA_ROOT = tmp_path / "taken" / "media"

    assert reachable() is False
