"""A real S3 API on this machine: moto's standalone server, one per test process.

The server is started on a free port of 127.0.0.1 for the whole package (a second to start)
and each test gets a bucket of its own, named after a counter, so that what one test uploads
or deletes is never seen by another. The media storage is the production one
(``core.storage.MediaStorage``), configured from the same environment variables a deployment
sets (``cms.settings.environment.media_storage_from_env``), pointing at that server.

``MEDIA_CUSTOM_DOMAIN`` is the server itself, addressed by path (``http://127.0.0.1:<port>/
<bucket>``): it stands for a CDN in front of the bucket, so that the tests fetch every address
the site hands out as a reader's browser would, without credentials.
"""

import itertools
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import boto3
import pytest
from django.core.cache import cache

from cms.settings.environment import media_storage_from_env

STARTUP_SECONDS = 60
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ukiyo-tests",
    "AWS_SECRET_ACCESS_KEY": "ukiyo-tests-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
BUCKETS = itertools.count(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def start_moto(log):
    """``(process, url)`` of a moto server that answers; a port taken meanwhile by another
    process of this machine makes it try another."""
    for _ in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            if answers(url):
                return process, url
            time.sleep(0.1)
        stop(process)
    log.seek(0)
    pytest.fail(f"moto's S3 server did not start:\n{log.read()[-3000:]}", pytrace=False)


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="package")
def s3_server():
    """The address of the S3 API, for the whole package."""
    with tempfile.TemporaryFile(mode="w+") as log:
        process, url = start_moto(log)
        try:
            yield url
        finally:
            stop(process)


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: object

    @property
    def public_url(self):
        """Where readers fetch the files: the custom domain the site is configured with."""
        return f"{self.endpoint}/{self.name}/"

    def keys(self):
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", ()))

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def head(self, key):
        return self.client.head_object(Bucket=self.name, Key=key)

    def public_grants(self, key):
        """The permissions anyone (no credentials) has on ``key``."""
        grants = self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]
        return {
            grant["Permission"]
            for grant in grants
            if grant["Grantee"].get("URI") == "http://acs.amazonaws.com/groups/global/AllUsers"
        }


def fetch(url):
    """``(status, headers, body)`` of a GET as a browser sends it: no credentials."""
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def use_test_credentials(monkeypatch):
    """The server's made-up credentials, whatever AWS settings the machine's environment has."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


def use_bucket(settings, forget_renditions=True, **environ):
    """The site's media storage, as the deployment's environment ``environ`` configures it."""
    storage, media_url = media_storage_from_env(environ)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_URL = media_url
    if forget_renditions:
        # Renditions found before are kept in the default cache with their storage's addresses.
        cache.clear()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, db):
    """An empty bucket of its own, the site's media storage for the test, with public images
    (``MEDIA_ACL=public-read``) and the server itself as the custom domain."""
    use_test_credentials(monkeypatch)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    created = Bucket(name=f"ukiyo-media-{next(BUCKETS)}", endpoint=s3_server, client=client)
    client.create_bucket(Bucket=created.name)
    use_bucket(
        settings,
        MEDIA_BUCKET=created.name,
        MEDIA_ENDPOINT_URL=s3_server,
        MEDIA_REGION="us-east-1",
        MEDIA_CUSTOM_DOMAIN=created.public_url,
        MEDIA_ACL="public-read",
    )
    return created
