"""Uploaded images and documents in a bucket of S3-compatible object storage, and whether the
media storage answers.

With several app servers behind a load balancer, an image uploaded through one must be
readable by all the others, and its renditions made once for all of them: the files go to one
bucket (AWS S3, MinIO, Cloudflare R2, DigitalOcean Spaces) through django-storages, chosen by
``MEDIA_BUCKET`` (``cms.settings.environment.media_storage_from_env``). Without it they stay
in ``MEDIA_ROOT``, as before.

Renditions are found in the database (Wagtail's ``Rendition`` rows, prefetched with the pages
that show them), and a file's address is computed, never asked of the bucket: a page or an
API answer reads nothing from the bucket once its renditions exist. Only a rendition made for
the first time reads its original, once for every width a page asks for at once.
"""

import os
import threading
from pathlib import Path

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage, default_storage
from storages.backends.s3 import S3Storage

from core.media import BROWSER_MAX_AGE, SHARED_MAX_AGE, is_public_media

# The bucket serves images with the lifetimes ukiyo gives the files it serves itself.
PUBLIC_CACHE_CONTROL = f"public, max-age={BROWSER_MAX_AGE}, s-maxage={SHARED_MAX_AGE}"
# How long a web request waits for the bucket: to connect, then for each read of an answer,
# with up to two more attempts after a failure (boto3's "standard" retries). boto3's own
# defaults (a minute each) would hold an app server's workers while the storage is down.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30


class MediaStorage(S3Storage):
    """django-storages' S3 storage with ukiyo's rules for uploaded files.

    - Names are never reused: an upload under a name the bucket already holds gets a new one
      (as on a disk), so two photos called ``photo.jpg`` and their renditions stay apart.
      The bucket's overwrite-by-default would give one image the other's file.
    - Addresses are never signed: pages and API answers are cached (by ukiyo, a CDN, a
      browser) for longer than a signature lasts, so an image's address must work as it is.
      The image folders are public (by ``MEDIA_ACL=public-read`` or the bucket's policy).
    - Only the image folders (``core.media.PUBLIC_MEDIA_FOLDERS``) get the configured ACL and
      the public cache lifetimes. Everything else, documents above all, is ``private`` when an
      ACL is configured: a document in a private collection is served by ukiyo's view, which
      asks for its password or login, and its file must not be readable from the bucket.
    """

    def __init__(self, **settings):
        super().__init__(**settings)
        self._probes = {}
        self._probes_lock = threading.Lock()

    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults.update(
            file_overwrite=False,
            querystring_auth=False,
            client_config=Config(
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )
        return defaults

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_probes", None)
        state.pop("_probes_lock", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._probes = {}
        self._probes_lock = threading.Lock()

    def _open(self, name, mode="rb"):
        # Opening a file asks the bucket for it (a HEAD). A bucket out of reach, or refusing,
        # is an error reading the file, as a missing disk would be: Wagtail then shows an
        # image without its renditions (``SourceImageIOError``) instead of failing the page.
        try:
            return super()._open(name, mode)
        except (BotoCoreError, ClientError) as error:
            raise OSError(f"{name} could not be read from the bucket: {error}") from error

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        if is_public_media(name):
            parameters.setdefault("CacheControl", PUBLIC_CACHE_CONTROL)
        elif self.default_acl:
            parameters["ACL"] = "private"
        return parameters

    def answers(self, timeout):
        """Whether the bucket answers, and lets these credentials in, within ``timeout``
        seconds to connect and as many to read the answer, with no retry."""
        client = self._probe_client(timeout)
        try:
            client.head_bucket(Bucket=self.bucket_name)
        except (BotoCoreError, ClientError):
            return False
        return True

    def _probe_client(self, timeout):
        # A client of its own: the storage's retries and timeouts are for uploads, a probe
        # must answer quickly. Made once per process and timeout (boto3 clients are
        # thread-safe; making one takes tens of milliseconds).
        with self._probes_lock:
            client = self._probes.get(timeout)
            if client is None:
                client = self._create_session().client(
                    "s3",
                    region_name=self.region_name,
                    use_ssl=self.use_ssl,
                    endpoint_url=self.endpoint_url,
                    verify=self.verify,
                    config=Config(
                        connect_timeout=timeout,
                        read_timeout=timeout,
                        retries={"total_max_attempts": 1},
                    ),
                )
                self._probes[timeout] = client
            return client


def reachable(timeout=2.0):
    """Whether the storage of uploaded images and documents can be used now.

    For a readiness check: an app server whose media storage does not answer cannot take
    uploads, nor make a rendition that does not exist yet (pages whose renditions exist still
    render). With a bucket, it is asked whether it exists and lets ukiyo's credentials in
    (``HeadBucket``), waiting at most ``timeout`` seconds to connect and as many for the
    answer. With ``MEDIA_ROOT``, the folder (or the folder it will be made in) must be one
    ukiyo may write in. Never raises.
    """
    storage = default_storage
    if isinstance(storage, MediaStorage):
        return storage.answers(timeout)
    if isinstance(storage, FileSystemStorage):
        folder = Path(storage.location)
        while not folder.exists() and folder != folder.parent:
            # Django makes MEDIA_ROOT with the first upload.
            folder = folder.parent
        return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
    try:
        storage.exists("ukiyo-readiness-probe")
    except Exception:  # what a storage raises when it fails is its own
        return False
    return True
