"""Photo checks and processing with Pillow: real images only, EXIF (and GPS) gone, sensible sizes."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from connector.errors import ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50 MP photo is already more than any farmer's phone takes
# Checked on the header, before any pixel is decoded. A JPEG is decoded already scaled down to about
# the size kept (Pillow's draft mode: the decoder skips the detail), so a phone's 50 MP photo costs
# tens of MB. Other formats are decoded whole, several bytes per pixel and then copied: a 7000 x 7000
# PNG cost 550 MB of memory (issue 15), so they stop at 16 MP, more than any screenshot or saved image
# a farmer would send.
MAX_PIXELS_DECODED_WHOLE = 16_000_000
DRAFTED_FORMATS = {"JPEG", "MPO"}
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: JPEG with a depth map, from some phones
FULL_SIZE = 1600
THUMB_SIZE = 320

try:  # HEIC from iPhones, only where the optional pillow-heif package is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    ACCEPTED_FORMATS.add("HEIF")
except ImportError:
    pass


@dataclass
class ProcessedPhoto:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _fail(message: str):
    raise ValidationFailed(errors={"photo": [message]})


def process_photo(data: bytes) -> ProcessedPhoto:
    """Check that `data` is a real photo and return JPEGs (≤1600 px and a thumbnail) without metadata."""
    if len(data) > MAX_BYTES:
        _fail(_("The photo is larger than 10 MB."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                limit = MAX_PIXELS if image_format in DRAFTED_FORMATS else MAX_PIXELS_DECODED_WHOLE
                if probe.width * probe.height > limit:
                    _fail(_("The photo has too many pixels."))
                probe.verify()
            image = Image.open(io.BytesIO(data))
            if image_format in DRAFTED_FORMATS:
                image.draft("RGB", (FULL_SIZE, FULL_SIZE))  # decoded at 1/2, 1/4 or 1/8 scale, never below
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, ValueError):
        _fail(_("This file is not a photo (JPEG, PNG or WebP)."))
    if image_format not in ACCEPTED_FORMATS:
        _fail(_("This file is not a photo (JPEG, PNG or WebP)."))
    # Turn the pixels the way the camera meant, then drop EXIF (location, phone model) entirely.
    full = ImageOps.exif_transpose(image).convert("RGB")
    image.close()
    full.thumbnail((FULL_SIZE, FULL_SIZE), Image.Resampling.LANCZOS)  # in place: no second full-size copy
    thumb = full.copy()
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(_jpeg(full, 82), _jpeg(thumb, 75), full.width, full.height)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)  # no exif= : none written
    return out.getvalue()
