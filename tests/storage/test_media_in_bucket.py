"""Images and documents in a bucket (moto's S3 server), as several app servers share them:
uploads in the admin, renditions on readers' pages and in both APIs, deletion.

Every address the site hands out is fetched as a browser would (no credentials) from the
custom domain, and what the bucket holds is read back through the S3 API.
"""

import io
import re
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from core import pagecache
from core.storage import PUBLIC_CACHE_CONTROL
from tests.core.test_upload_filenames import HOSTILE_NAMES, post_multipart
from tests.factories import ImageFactory, full_article, image_block, paragraph, section

from .conftest import fetch, free_port, use_bucket

Image = get_image_model()
Rendition = Image.get_rendition_model()
Document = get_document_model()

IMG = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(src|srcset)="([^"]*)"')
SITEMAP_IMAGE = re.compile(r"<image:loc>([^<]*)</image:loc>")


def png(colour="navy", size=(40, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def is_webp(body):
    return body[:4] == b"RIFF" and body[8:12] == b"WEBP"


def files_under(folder):
    folder = Path(folder)
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def upload_image(editor, name, content, title="Crater"):
    return editor.post(
        "/admin/images/add/",
        {
            "title": title,
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(name, content, content_type="image/png"),
        },
    )


def image_addresses(html):
    """Every address of every ``<img>`` of a page: its ``src`` and each ``srcset`` entry."""
    found = []
    for tag in IMG.findall(html):
        for name, value in ATTRIBUTE.findall(tag):
            if name == "src":
                found.append(value)
            else:
                found += [entry.strip().split(" ")[0] for entry in value.split(",")]
    return found


def api_image_addresses(data):
    """Every address of an image file in an API answer: renditions (``url``, ``full_url``),
    ``srcset`` entries and images' ``download_url``."""
    found = []
    if isinstance(data, dict):
        if "width" in data and "url" in data:
            found += [data[key] for key in ("url", "full_url") if key in data]
        for key, value in data.items():
            if key == "download_url" and isinstance(value, str):
                found.append(value)
            elif key == "srcset" and value:
                found += [entry.strip().split(" ")[0] for entry in value.split(",")]
            else:
                found += api_image_addresses(value)
    elif isinstance(data, list):
        for item in data:
            found += api_image_addresses(item)
    return found


def forget_everything_kept():
    """Pages, API answers and renditions kept by this process: the next request reads them
    afresh, as a newly started app server would."""
    pagecache.cache().clear()
    cache.clear()


@pytest.fixture
def article(index, bucket):
    lead = ImageFactory(title="Landing site", file__width=1600, file__height=900)
    figure = ImageFactory(title="Crater", file__width=900, file__height=600)
    return full_article(
        index,
        title="月面着陸に成功",
        slug="moon-landing",
        lead_image=lead,
        body=[section("Pictures", [paragraph("From orbit."), image_block(figure)])],
    )


def cut_off(settings, bucket):
    """The same bucket, its S3 API now unreachable (a closed port); the custom domain that
    readers fetch files from stays. Nothing kept from before: as a newly started server."""
    use_bucket(
        settings,
        MEDIA_BUCKET=bucket.name,
        MEDIA_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        MEDIA_REGION="us-east-1",
        MEDIA_CUSTOM_DOMAIN=bucket.public_url,
    )
    forget_everything_kept()


def reads(client, article):
    """What readers, frontends and crawlers get for ``article``: its page, its API answers,
    the sitemap and the feed that list it."""
    return {
        "page": client.get(article.url),
        "v2": client.get(
            f"/api/v2/pages/{article.pk}/",
            {"fields": "lead_image_renditions,lead_image_rendition,lead_image_thumbnail"},
        ),
        "v2 images": client.get(f"/api/v2/images/{article.lead_image_id}/"),
        "v3": client.get(f"/api/v3/pages/{article.pk}/"),
        "v3 cards": client.get("/api/v3/articles/", {"locale": "ja"}),
        "sitemap": client.get("/sitemap-ja-1.xml"),
        "rss": client.get("/ja/feeds/articles.rss"),
    }


def addresses_in(answers):
    found = {
        "page": image_addresses(answers["page"].content.decode()),
        "sitemap": SITEMAP_IMAGE.findall(answers["sitemap"].content.decode()),
        "rss": [
            link.href
            for entry in feedparser.parse(answers["rss"].content).entries
            for link in entry.links
            if link.rel == "enclosure"
        ],
    }
    for name in ("v2", "v2 images", "v3", "v3 cards"):
        found[name] = api_image_addresses(answers[name].json())
    return found


def test_an_image_uploaded_in_the_admin_goes_to_the_bucket_and_nowhere_else(editor, bucket):
    before = files_under(settings.MEDIA_ROOT)
    content = png()

    response = upload_image(editor, "crater.png", content)

    assert response.status_code == 302, response.content[:500]
    image = Image.objects.get()
    assert image.file.name == "original_images/crater.png"
    assert image.width == 40 and image.height == 30
    assert bucket.keys() == ["original_images/crater.png"]
    assert bucket.read("original_images/crater.png") == content
    stored = bucket.head("original_images/crater.png")
    assert stored["ContentType"] == "image/png"
    assert stored["CacheControl"] == PUBLIC_CACHE_CONTROL
    assert bucket.public_grants("original_images/crater.png") == {"READ"}
    # Its address is the custom domain's, and works for anyone.
    assert image.file.url == f"{bucket.public_url}original_images/crater.png"
    status, headers, body = fetch(image.file.url)
    assert (status, body) == (200, content)
    assert headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    # Nothing was written on this machine's disk.
    assert files_under(settings.MEDIA_ROOT) == before


def test_two_uploads_under_one_name_keep_their_own_files(editor, bucket):
    first, second = png("navy"), png("orange")

    assert upload_image(editor, "photo.png", first, title="One").status_code == 302
    assert upload_image(editor, "photo.png", second, title="Two").status_code == 302

    one, two = Image.objects.get(title="One"), Image.objects.get(title="Two")
    assert one.file.name == "original_images/photo.png"
    assert two.file.name != one.file.name
    assert re.fullmatch(r"original_images/photo_\w{7}\.png", two.file.name), two.file.name
    assert bucket.read(one.file.name) == first
    assert bucket.read(two.file.name) == second
    # And their renditions, named after the original, stay apart as well.
    small_one, small_two = one.get_rendition("width-20"), two.get_rendition("width-20")
    assert small_one.file.name != small_two.file.name
    colours = {
        PILImage.open(io.BytesIO(bucket.read(rendition.file.name))).convert("RGB").getpixel((5, 5))
        for rendition in (small_one, small_two)
    }
    assert colours == {(0, 0, 128), (255, 165, 0)}


def test_readers_and_frontends_get_renditions_from_the_custom_domain(client, article, bucket):
    answers = reads(client, article)

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        answers, 200
    )
    found = addresses_in(answers)
    # The article's page: the lead image and the body's figure, each with its srcset.
    assert len(found["page"]) >= 8, found["page"]
    v3 = answers["v3"].json()
    assert v3["lead_image_renditions"]["srcset"].startswith(bucket.public_url)
    assert [item["width"] for item in v3["lead_image_renditions"]["renditions"]] == [
        480,
        800,
        1200,
        1600,
    ]
    for name, addresses in found.items():
        assert addresses, name
        for address in addresses:
            assert address.startswith(bucket.public_url), (name, address)
    # Every rendition is in the bucket, and its address serves it.
    renditions = {rendition.file.name for rendition in Rendition.objects.all()}
    assert renditions <= set(bucket.keys())
    rendition_addresses = {
        address
        for addresses in found.values()
        for address in addresses
        if address.startswith(f"{bucket.public_url}images/")
    }
    assert {address.removeprefix(bucket.public_url) for address in rendition_addresses} <= (
        renditions
    )
    for address in rendition_addresses:
        status, headers, body = fetch(address)
        assert status == 200, address
        assert is_webp(body), address
        assert headers["Cache-Control"] == PUBLIC_CACHE_CONTROL


def test_pages_and_answers_read_nothing_from_the_bucket_once_renditions_exist(
    client, article, bucket, settings
):
    first = reads(client, article)
    made = Rendition.objects.count()
    assert made > 0
    cut_off(settings, bucket)

    again = reads(client, article)

    assert {name: answer.status_code for name, answer in again.items()} == dict.fromkeys(again, 200)
    assert addresses_in(again) == addresses_in(first)
    assert Rendition.objects.count() == made


def test_with_the_bucket_unreachable_pages_without_their_renditions_still_answer(
    client, article, bucket, settings, caplog
):
    """Renditions not made yet (a page published while the worker was behind) and the bucket
    out of reach: readers get the page and frontends the answers, without those images'
    files, never an error."""
    assert Rendition.objects.count() == 0
    cut_off(settings, bucket)

    answers = reads(client, article)

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        answers, 200
    )
    assert Rendition.objects.count() == 0
    # Said once per image, however many requests met it (a log line per image and request
    # would flood the logs during an outage).
    unreadable = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    images = {message.split()[4] for message in unreadable}
    assert unreadable and len(unreadable) == len(images), unreadable
    # Neither the page nor the answers are kept without their images: asked again, they are
    # made again, and with the bucket back they show every image.
    assert client.get(article.url)["X-Page-Cache"] == "bypass"
    assert client.get(f"/api/v3/pages/{article.pk}/")["X-API-Cache"] != "hit"
    use_bucket(
        settings,
        MEDIA_BUCKET=bucket.name,
        MEDIA_ENDPOINT_URL=bucket.endpoint,
        MEDIA_REGION="us-east-1",
        MEDIA_CUSTOM_DOMAIN=bucket.public_url,
        MEDIA_ACL="public-read",
    )
    back = reads(client, article)
    assert Rendition.objects.count() > 0
    shown_then, shown_now = addresses_in(answers), addresses_in(back)
    assert shown_then["page"] == []
    assert shown_now["page"] and all(shown_now[name] for name in ("v2", "v3", "v3 cards"))


def test_an_image_deleted_in_the_admin_leaves_the_bucket_with_its_renditions(
    editor, bucket, django_capture_on_commit_callbacks
):
    assert upload_image(editor, "crater.png", png(size=(400, 300))).status_code == 302
    image = Image.objects.get()
    image.get_renditions("width-100", "width-200|format-webp")
    other = ImageFactory(title="Stays")
    kept = other.file.name
    assert len(bucket.keys()) == 4

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(f"/admin/images/{image.pk}/delete/")

    assert response.status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()
    assert not Rendition.objects.filter(image_id=image.pk).exists()
    assert bucket.keys() == [kept]


def test_documents_are_private_in_the_bucket_and_served_by_ukiyo(
    editor, client, bucket, django_capture_on_commit_callbacks
):
    content = b"%PDF-1.4\n% the annual report\n"
    response = editor.post(
        "/admin/documents/add/",
        {
            "title": "Annual report",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("report.pdf", content, content_type="application/pdf"),
        },
    )

    assert response.status_code == 302, response.content[:500]
    document = Document.objects.get()
    assert bucket.keys() == ["documents/report.pdf"]
    # MEDIA_ACL=public-read is for images: the document stays private.
    assert bucket.public_grants("documents/report.pdf") == set()
    assert "CacheControl" not in bucket.head("documents/report.pdf")
    # Readers download it through ukiyo's view, which streams it from the bucket.
    assert document.url == f"/documents/{document.pk}/report.pdf"
    download = client.get(document.url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content

    with django_capture_on_commit_callbacks(execute=True):
        deleted = editor.post(f"/admin/documents/delete/{document.pk}/")

    assert deleted.status_code == 302
    assert bucket.keys() == []


@pytest.mark.parametrize("hostile", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_hostile_file_name_becomes_a_plain_key_in_the_images_folder(editor, bucket, hostile):
    response = post_multipart(
        editor,
        "/admin/images/add/",
        {"title": "Crater", "collection": Collection.get_first_root_node().pk},
        hostile.format(ext="png"),
        png(),
    )

    assert response.status_code == 302, response.status_code
    (key,) = bucket.keys()
    assert key == Image.objects.get().file.name
    plain = key.removeprefix("original_images/")
    assert key.startswith("original_images/") and plain, key
    assert "/" not in plain and "\\" not in plain and not plain.startswith("."), key
    assert all(char.isprintable() and not char.isspace() for char in plain), repr(key)
    assert fetch(Image.objects.get().file.url)[0] == 200
