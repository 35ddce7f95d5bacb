"""Documents are served only through Wagtail's serve view, which applies collection privacy.

A document in a password-protected collection must not be reachable at its file's address
under ``/media/``: the development server (the demo) refuses ``documents/`` there, the serve
view asks for the password, and neither API hands out an address that skips that question.
"""

import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.urls import clear_url_caches
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from tests.factories import ImageFactory

Document = get_document_model()
SECRET = b"%PDF-1.4 embargoed figures\n"
PUBLIC = b"%PDF-1.4 press kit\n"


@pytest.fixture
def debug_urls(settings):
    """The URLconf as the development server (``make demo``, DEBUG on) builds it."""
    import cms.urls

    settings.DEBUG = True
    settings.UKIYO_SERVE_MEDIA = True
    importlib.reload(cms.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    settings.UKIYO_SERVE_MEDIA = False
    importlib.reload(cms.urls)
    clear_url_caches()


@pytest.fixture
def private_collection(db):
    collection = Collection.get_first_root_node().add_child(name="Embargoed")
    CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="open-sesame",
    )
    return collection


@pytest.fixture
def private_document(private_collection):
    return Document.objects.create(
        title="Embargoed figures",
        file=ContentFile(SECRET, name="embargoed-figures.pdf"),
        collection=private_collection,
    )


@pytest.fixture
def public_document(db):
    return Document.objects.create(
        title="Press kit",
        file=ContentFile(PUBLIC, name="press-kit.pdf"),
        collection=Collection.get_first_root_node(),
    )


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_a_private_document_is_not_served_from_media(client, debug_urls, private_document):
    assert private_document.file.name.startswith("documents/")

    response = client.get(f"/media/{private_document.file.name}")

    assert response.status_code == 404
    assert SECRET not in body(response)


def test_no_document_is_served_from_media(client, debug_urls, public_document):
    """Privacy can be added to a collection at any time: no document has a public address."""
    response = client.get(f"/media/{public_document.file.name}")

    assert response.status_code == 404
    assert PUBLIC not in body(response)


def test_images_are_still_served_from_media_in_development(client, debug_urls, db):
    image = ImageFactory()

    response = client.get(f"/media/{image.file.name}")

    assert response.status_code == 200
    assert body(response) == image.file.open("rb").read()


def test_served_images_are_cached_a_day_by_browsers_and_a_month_by_cdns(client, debug_urls, db):
    image = ImageFactory()
    rendition = image.get_rendition("width-100")

    for url in (f"/media/{image.file.name}", rendition.url):
        response = client.get(url)

        assert response.status_code == 200
        assert set(response["Cache-Control"].split(", ")) == {
            "public",
            "max-age=86400",
            "s-maxage=2592000",
        }


def test_production_leaves_media_to_the_web_server(client, db):
    image = ImageFactory()

    assert client.get(f"/media/{image.file.name}").status_code == 404


def test_media_refuses_paths_that_climb_out_of_the_image_folders(
    client, debug_urls, private_document
):
    for path in (
        f"/media/original_images/../{private_document.file.name}",
        f"/media/original_images/%2e%2e/{private_document.file.name}",
        "/media/images/",
        "/media/images/" + "a" * 300 + ".jpg",  # longer than a file name may be: not a 500
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert SECRET not in body(response)


def test_the_serve_view_asks_for_the_password(client, private_document):
    response = client.get(private_document.url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "You need a password to access this document." in response.content.decode()
    assert 'name="password"' in response.content.decode()
    assert SECRET not in body(response)


def test_the_serve_view_serves_the_document_once_the_password_is_given(client, private_document):
    restriction = CollectionViewRestriction.objects.get()
    client.post(
        f"/documents/authenticate_with_password/{restriction.pk}/",
        {"password": "open-sesame", "return_url": private_document.url},
    )

    response = client.get(private_document.url)

    assert response.status_code == 200
    assert body(response) == SECRET


def test_a_public_document_downloads_through_the_serve_view(client, public_document):
    assert public_document.url == f"/documents/{public_document.pk}/{public_document.filename}"

    response = client.get(public_document.url)

    assert response.status_code == 200
    assert body(response) == PUBLIC
    assert response["Content-Security-Policy"] == "default-src 'none'"


class RemoteStorage(Storage):
    """A storage like S3's: files have a URL but no local path (kept on disk for the test)."""

    def __init__(self):
        self.disk = FileSystemStorage()

    def _open(self, name, mode="rb"):
        return self.disk.open(name, mode)

    def _save(self, name, content):
        return self.disk.save(name, content)

    def exists(self, name):
        return self.disk.exists(name)

    def size(self, name):
        return self.disk.size(name)

    def delete(self, name):
        self.disk.delete(name)

    def url(self, name):
        return f"https://bucket.example/{name}"


@pytest.fixture
def remote_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.RemoteStorage"},
    }


def test_with_object_storage_the_serve_view_does_not_redirect_to_the_bucket(
    client, public_document, remote_storage
):
    """Wagtail's default for a storage without local paths is a redirect to the file's own
    URL, which anyone can then pass around; a private document would lose its password."""
    response = client.get(public_document.url)

    assert response.status_code == 200
    assert body(response) == PUBLIC


def test_with_object_storage_a_private_document_still_asks_for_the_password(
    client, private_document, remote_storage
):
    restriction = CollectionViewRestriction.objects.get()
    client.post(
        f"/documents/authenticate_with_password/{restriction.pk}/",
        {"password": "open-sesame", "return_url": private_document.url},
    )

    response = client.get(private_document.url)

    assert response.status_code == 200
    assert body(response) == SECRET
    assert "bucket.example" not in response.get("Location", "")


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_the_api_lists_only_public_documents_with_their_serve_view_address(
    client, version, public_document, private_document, remote_storage
):
    listing = client.get(f"/api/{version}/documents/")

    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [item["id"] for item in items] == [public_document.pk]
    assert items[0]["meta"]["download_url"] == (
        f"http://testserver/documents/{public_document.pk}/{public_document.filename}"
    )
    assert client.get(f"/api/{version}/documents/{private_document.pk}/").status_code == 404
