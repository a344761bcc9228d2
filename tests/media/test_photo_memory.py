"""Photos (issue 15, finding 9): a 7000 x 7000 PNG cost 550 MB to decode. Pixels are limited on the
header before decoding, and a large JPEG is decoded already scaled down (measured: the process's
peak memory, in a process of its own)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from flask_babel import force_locale
from PIL import Image

from connector.config import PROJECT_ROOT
from connector.errors import ValidationFailed
from connector.media.images import process_photo


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")  # one bit per pixel here: a few hundred KB
    return out.getvalue()


def test_a_huge_png_is_refused_before_it_is_decoded(app):
    with app.app_context(), force_locale("vi"), pytest.raises(ValidationFailed) as refused:
        process_photo(_png(7000, 7000))
    assert "độ phân giải quá lớn" in refused.value.text()
    assert process_photo(_png(3000, 2000)).width == 1600  # a big screenshot still passes


# The photo processed with its address space capped at what the process holds + HEADROOM_MB: fails
# with a MemoryError when processing needs more (deterministic, unlike a peak-memory reading).
CAPPED = """
import resource, sys
from connector.media.images import process_photo
data = open(sys.argv[1], "rb").read()
size = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (size + int(sys.argv[2]) * 2**20, resource.RLIM_INFINITY))
try:
    photo = process_photo(data)
    print("OK", photo.width, photo.height)
except MemoryError:
    print("MEMORY")
"""
HEADROOM_MB = 120


def test_a_27_megapixel_jpeg_is_processed_in_little_memory(tmp_path):
    photo = tmp_path / "big.jpg"
    Image.new("RGB", (6000, 4500), (90, 140, 60)).save(photo, "JPEG", quality=90)  # made here, not there
    ran = subprocess.run([sys.executable, "-c", CAPPED, str(photo), str(HEADROOM_MB)], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=120)
    # Measured: decoded whole and copied twice it needed over 200 MB more; drafted, under 100 MB.
    assert ran.stdout.split() == ["OK", "1600", "1200"], ran.stdout + ran.stderr[-500:]
