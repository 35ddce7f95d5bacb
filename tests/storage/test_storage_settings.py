"""Where uploaded files go is read from the environment: MEDIA_ROOT by default, a bucket of
S3-compatible object storage with MEDIA_BUCKET; a value that cannot work stops the start."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.settings.environment import media_storage_from_env, serve_media_from_env
from core.storage import MediaStorage
from tests.cms.test_settings import ROOT, read_settings

from .conftest import use_test_credentials

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
R2 = {
    "MEDIA_BUCKET": "ukiyo-media",
    "MEDIA_ENDPOINT_URL": "https://0123abcd.r2.cloudflarestorage.com/",
    "MEDIA_REGION": "auto",
    "MEDIA_CUSTOM_DOMAIN": "media.news.example",
    "MEDIA_ACL": "public-read",
}


def test_files_stay_in_media_root_without_a_bucket():
    assert media_storage_from_env({}) == (LOCAL, "/media/")


def test_a_bucket_with_its_endpoint_region_domain_and_acl():
    storage, media_url = media_storage_from_env(R2)

    assert storage == {
        "BACKEND": "core.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": "ukiyo-media",
            "endpoint_url": "https://0123abcd.r2.cloudflarestorage.com",
            "region_name": "auto",
            "default_acl": "public-read",
            "custom_domain": "media.news.example",
            "url_protocol": "https:",
        },
    }
    assert media_url == "https://media.news.example/"


@pytest.mark.parametrize(
    ("environ", "media_url"),
    [
        ({"MEDIA_BUCKET": "ukiyo-media"}, "https://ukiyo-media.s3.amazonaws.com/"),
        ({"MEDIA_BUCKET": "ukiyo-media", "MEDIA_REGION": "eu-west-1"}, None),
        ({"MEDIA_BUCKET": "media.news.example"}, "https://s3.amazonaws.com/media.news.example/"),
        ({"MEDIA_BUCKET": "ukiyo_media"}, "https://s3.amazonaws.com/ukiyo_media/"),
        (
            {"MEDIA_BUCKET": "ukiyo-media", "MEDIA_ENDPOINT_URL": "http://minio.internal:9000"},
            "http://minio.internal:9000/ukiyo-media/",
        ),
        (
            {"MEDIA_BUCKET": "ukiyo-media", "MEDIA_CUSTOM_DOMAIN": "https://cdn.news.example/m/"},
            "https://cdn.news.example/m/",
        ),
        (
            {"MEDIA_BUCKET": "ukiyo-media", "MEDIA_CUSTOM_DOMAIN": "http://127.0.0.1:9000/b"},
            "http://127.0.0.1:9000/b/",
        ),
    ],
)
def test_media_url_is_where_the_storage_addresses_its_files(monkeypatch, environ, media_url):
    """MEDIA_URL (the origin the Content-Security-Policy allows images from) is the start of
    every address the storage gives."""
    use_test_credentials(monkeypatch)
    storage, found = media_storage_from_env(environ)
    if media_url is not None:
        assert found == media_url

    address = MediaStorage(**storage["OPTIONS"]).url("images/a photo.width-800.webp")

    assert address == f"{found}images/a%20photo.width-800.webp"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MEDIA_BUCKET": "s3://ukiyo-media"}, "MEDIA_BUCKET"),
        ({"MEDIA_BUCKET": "ukiyo-media/images"}, "MEDIA_BUCKET"),
        ({"MEDIA_BUCKET": "Ukiyo"}, "MEDIA_BUCKET"),
        ({"MEDIA_BUCKET": "ab"}, "MEDIA_BUCKET"),
        ({"MEDIA_BUCKET": "a..b"}, "MEDIA_BUCKET"),
        ({"MEDIA_BUCKET": "media\x00"}, "MEDIA_BUCKET"),
        ({"MEDIA_BUCKET": "m", "MEDIA_ENDPOINT_URL": "minio:9000"}, "MEDIA_BUCKET"),
        ({"MEDIA_BUCKET": "media", "MEDIA_ENDPOINT_URL": "minio:9000"}, "MEDIA_ENDPOINT_URL"),
        ({"MEDIA_BUCKET": "media", "MEDIA_ENDPOINT_URL": "ftp://minio"}, "MEDIA_ENDPOINT_URL"),
        (
            {"MEDIA_BUCKET": "media", "MEDIA_ENDPOINT_URL": "https://minio/media"},
            "MEDIA_ENDPOINT_URL",
        ),
        (
            {"MEDIA_BUCKET": "media", "MEDIA_ENDPOINT_URL": "https://minio:port"},
            "MEDIA_ENDPOINT_URL",
        ),
        (
            {"MEDIA_BUCKET": "media", "MEDIA_ENDPOINT_URL": "https://key:secret@minio"},
            "MEDIA_ENDPOINT_URL",
        ),
        ({"MEDIA_BUCKET": "media", "MEDIA_REGION": "EU West"}, "MEDIA_REGION"),
        ({"MEDIA_BUCKET": "media", "MEDIA_ACL": "public"}, "MEDIA_ACL"),
        (
            {"MEDIA_BUCKET": "media", "MEDIA_CUSTOM_DOMAIN": "ftp://cdn.example"},
            "MEDIA_CUSTOM_DOMAIN",
        ),
        (
            {"MEDIA_BUCKET": "media", "MEDIA_CUSTOM_DOMAIN": "https://cdn.example/?v=1"},
            "MEDIA_CUSTOM_DOMAIN",
        ),
        ({"MEDIA_BUCKET": "media", "MEDIA_CUSTOM_DOMAIN": "https://[::1"}, "MEDIA_CUSTOM_DOMAIN"),
        ({"MEDIA_ENDPOINT_URL": "http://minio:9000"}, "MEDIA_ENDPOINT_URL"),
        ({"MEDIA_CUSTOM_DOMAIN": "media.news.example"}, "MEDIA_CUSTOM_DOMAIN"),
    ],
)
def test_a_value_that_cannot_work_is_refused_with_its_name(environ, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        media_storage_from_env(environ)


def test_a_half_configuration_without_a_bucket_says_what_is_missing():
    with pytest.raises(ImproperlyConfigured, match="set without MEDIA_BUCKET"):
        media_storage_from_env({"MEDIA_ACL": "public-read"})


def test_ukiyo_serves_media_root_itself_only_without_a_bucket():
    bucket = media_storage_from_env({"MEDIA_BUCKET": "media"})[0]
    assert serve_media_from_env({}, True, LOCAL) is True
    assert serve_media_from_env({"SERVE_MEDIA": "off"}, True, LOCAL) is False
    assert serve_media_from_env({"SERVE_MEDIA": "on"}, False, LOCAL) is True
    assert serve_media_from_env({}, True, bucket) is False
    assert serve_media_from_env({"SERVE_MEDIA": "off"}, True, bucket) is False
    with pytest.raises(ImproperlyConfigured, match="SERVE_MEDIA"):
        serve_media_from_env({"SERVE_MEDIA": "true"}, False, bucket)


def test_production_reads_the_bucket_from_the_environment():
    found = read_settings(
        "cms.settings.production",
        ["STORAGES", "MEDIA_URL", "UKIYO_SERVE_MEDIA", "UKIYO_CSP_DIRECTIVES"],
        **R2,
    )

    assert found["STORAGES"]["default"]["BACKEND"] == "core.storage.MediaStorage"
    assert found["STORAGES"]["default"]["OPTIONS"]["bucket_name"] == "ukiyo-media"
    assert found["MEDIA_URL"] == "https://media.news.example/"
    assert found["UKIYO_SERVE_MEDIA"] is False
    # Readers' browsers may load the images from there.
    assert "https://media.news.example" in found["UKIYO_CSP_DIRECTIVES"]["img-src"]


def test_without_a_bucket_production_keeps_files_in_media_root():
    found = read_settings("cms.settings.production", ["STORAGES", "MEDIA_URL"])

    assert found["STORAGES"]["default"] == LOCAL
    assert found["MEDIA_URL"] == "/media/"


def test_development_with_a_bucket_leaves_media_to_it():
    found = read_settings("cms.settings.dev", ["UKIYO_SERVE_MEDIA"], MEDIA_BUCKET="media")
    assert found == {"UKIYO_SERVE_MEDIA": False}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MEDIA_BUCKET": "s3://media"}, "MEDIA_BUCKET: 's3://media' is not a bucket name"),
        ({"MEDIA_BUCKET": "media", "SERVE_MEDIA": "true"}, "SERVE_MEDIA serves uploaded images"),
    ],
)
def test_production_refuses_to_start_with_a_storage_that_cannot_work(environ, message):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example", **environ)
    env["DJANGO_SETTINGS_MODULE"] = "cms.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.STORAGES"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
