"""Upload file names are made safe: whatever name a client sends, the file is stored under a
plain name inside its upload folder (``documents/``, ``original_images/``).

The names are sent as raw multipart bodies, as a hostile client would: Django's test client
would strip a path from a name before sending it.
"""

import io
import os
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import APIToken, Collection

Document = get_document_model()
Image = get_image_model()
BOUNDARY = "ukiyo-upload-boundary"

HOSTILE_NAMES = {
    "climbs out": "../../evil.{ext}",
    "climbs out, Windows style": "..\\..\\evil.{ext}",
    "absolute": "/etc/cron.d/evil.{ext}",
    "NUL byte": "a\x00b.{ext}",
    "control characters": "a\r\tb.{ext}",
    "very long": "x" * 300 + ".{ext}",
    "spaces and Unicode": "報告 書 été 2025.{ext}",
    "HTML": '<script>alert(1)</script>".{ext}',
}


def multipart(fields, filename, content):
    """A multipart body sending ``filename`` byte for byte (UTF-8), as a browser would."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + filename.replace('"', "%22").encode()
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def post_multipart(client, path, fields, filename, content, **headers):
    return client.post(
        path,
        multipart(fields, filename, content),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **headers,
    )


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def assert_stored_safely(name, folder, max_length=100):
    """``name`` (the FileField's value) is a plain file name inside ``folder``."""
    assert name.startswith(f"{folder}/"), name
    plain = name.removeprefix(f"{folder}/")
    assert plain and "/" not in plain and "\\" not in plain, name
    assert ".." not in plain.split(".")[0] and not plain.startswith("."), name
    assert all(char.isprintable() and not char.isspace() for char in plain), repr(name)
    assert not set(plain) & set("<>\"'"), name
    assert len(name) <= max_length, name
    root = (Path(settings.MEDIA_ROOT) / folder).resolve()
    stored = (Path(settings.MEDIA_ROOT) / name).resolve()
    assert stored.parent == root and stored.is_file(), stored


@pytest.mark.parametrize("hostile", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_document_uploaded_in_the_admin_gets_a_safe_name(editor, hostile):
    collection = Collection.get_first_root_node()
    response = post_multipart(
        editor,
        "/admin/documents/add/",
        {"title": "Report", "collection": collection.pk},
        hostile.format(ext="pdf"),
        b"%PDF-1.4\n",
    )

    assert response.status_code == 302, response.status_code
    for document in Document.objects.all():
        assert_stored_safely(document.file.name, "documents")
        # And its download address is the serve view's, with the safe name.
        filename = os.path.basename(document.file.name)
        assert unquote(document.url) == f"/documents/{document.pk}/{filename}"
    assert Document.objects.count() == 1


@pytest.mark.parametrize("hostile", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_an_image_uploaded_in_the_admin_gets_a_safe_name(editor, hostile):
    collection = Collection.get_first_root_node()
    response = post_multipart(
        editor,
        "/admin/images/add/",
        {"title": "Crater", "collection": collection.pk},
        hostile.format(ext="png"),
        png(),
    )

    assert response.status_code == 302, response.status_code
    for image in Image.objects.all():
        assert_stored_safely(image.file.name, "original_images")
    assert Image.objects.count() == 1


@pytest.mark.parametrize("hostile", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_an_image_uploaded_through_api_v3_gets_a_safe_name(client, admin_user, hostile):
    _, token = APIToken.create_token(user=admin_user, name="uploader")
    collection = Collection.get_first_root_node()

    response = post_multipart(
        client,
        "/api/v3/images/",
        {"title": "Crater", "collection_id": collection.pk},
        hostile.format(ext="png"),
        png(),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 201, response.content[:500]
    for image in Image.objects.all():
        assert_stored_safely(image.file.name, "original_images")
    assert response.json()["id"] == Image.objects.get().pk
