"""Wagtail's image uploads: a broken or truncated image file is refused, not a 500.

``WagtailImageField.to_python`` asks Willow to recognise the upload by its first bytes, then
``check_image_pixel_size`` asks Pillow for the size, catching only Pillow's decompression bomb
errors. A PNG cut short after its signature is recognised, then Pillow fails to read its
header (``UnidentifiedImageError``, ``OSError``): the admin's upload and
``POST /api/v3/images/`` answered 500. One cut later in its data passed, and every rendition
of it failed afterwards.

The patched check turns any error reading the image into the field's own "not a valid image"
error, and reads the whole file of the raster formats Pillow knows (``Image.verify``, which
checks a PNG's chunks without decoding the pixels) so that a truncated file is refused too.

Upstream: https://github.com/wagtail/wagtail/issues/1354 ("Check if image file is broken on
upload", open) and https://github.com/wagtail/Willow/issues/48.
"""

from django.core.exceptions import ValidationError

# Formats Pillow reads itself; others (SVG) have nothing for Pillow to verify.
VERIFIED_FORMATS = {"png", "gif", "jpeg", "bmp", "webp", "tiff", "ico"}
# What Pillow raises for a file it cannot read: UnidentifiedImageError and "Truncated File
# Read" are OSErrors, a bad PNG chunk is a SyntaxError, a bad field a ValueError.
READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError)


def refuse_unreadable_images():
    from PIL import Image
    from wagtail.images.fields import WagtailImageField

    wagtail_check = WagtailImageField.check_image_pixel_size

    def check_image_pixel_size(self, f):
        try:
            wagtail_check(self, f)
            if f.image.format_name in VERIFIED_FORMATS:
                position = f.tell()
                try:
                    Image.open(f).verify()
                finally:
                    f.seek(position)
        except READ_ERRORS as error:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error

    check_image_pixel_size.upstream = wagtail_check
    WagtailImageField.check_image_pixel_size = check_image_pixel_size
