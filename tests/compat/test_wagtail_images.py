"""compat.wagtail_images: the patch is still needed, and still applied."""

import io

import pytest
import willow
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import FileField
from PIL import Image
from wagtail.images.fields import WagtailImageField

from compat.wagtail_images import READ_ERRORS


def png_cut_to(length):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PNG")
    return SimpleUploadedFile("cut.png", buffer.getvalue()[:length], content_type="image/png")


def test_wagtail_still_fails_on_an_image_whose_header_is_cut_short():
    field = WagtailImageField()
    upstream = WagtailImageField.check_image_pixel_size.upstream
    cut = png_cut_to(30)
    # Willow still recognises the file by its signature...
    recognised = FileField.to_python(field, cut)
    recognised.image = willow.Image.open(io.BytesIO(cut.read()))
    # ...and Wagtail's pixel check then fails with Pillow's error, not a ValidationError.
    with pytest.raises(READ_ERRORS):
        upstream(field, recognised)


def test_the_patch_is_applied():
    assert hasattr(WagtailImageField.check_image_pixel_size, "upstream")


@pytest.mark.parametrize("length", [30, 100, -10])
def test_a_cut_image_is_a_form_error(length):
    with pytest.raises(ValidationError) as error:
        WagtailImageField().clean(png_cut_to(length))
    assert error.value.code == "invalid_image"
