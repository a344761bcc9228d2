"""VietQR payloads drawn as QR symbols: PNG for phones and printers, SVG for crisp posters.

Byte mode only (a QR library's mode optimisation would split the payload into numeric segments,
which some banks' scanners mishandle); error correction M on screens, Q on print; the 4-module quiet
zone is kept. Images are cached in-process by payload, and served under immutable signed URLs.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from itsdangerous import BadSignature, URLSafeSerializer
from qrcode.util import MODE_8BIT_BYTE, QRData

LEVELS = {"M": qrcode.constants.ERROR_CORRECT_M, "Q": qrcode.constants.ERROR_CORRECT_Q}
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}


def make_qr(payload: str, level: str = "M") -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=LEVELS[level], border=4, box_size=8)
    qr.add_data(QRData(payload.encode("ascii"), mode=MODE_8BIT_BYTE), optimize=0)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=1024)
def render(payload: str, image_format: str = "png", level: str = "M") -> bytes:
    """The QR image for `payload` (cached: the same payload always draws the same image)."""
    qr = make_qr(payload, level)
    buffer = io.BytesIO()
    if image_format == "svg":
        qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    else:
        qr.make_image().save(buffer)
    return buffer.getvalue()


def etag(payload: str, image_format: str, level: str) -> str:
    return hashlib.sha256(f"{level}:{image_format}:{payload}".encode()).hexdigest()[:32]


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="connector.vietqr-image")


def image_token(secret: str, payload: str, level: str = "M") -> str:
    """An immutable URL part for the image of `payload`; signed, so the server draws only QR codes it
    made itself (nobody can have it serve a code of their own)."""
    return _serializer(secret).dumps([payload, level])


def read_image_token(secret: str, token: str) -> tuple[str, str] | None:
    try:
        payload, level = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return (payload, level) if level in LEVELS and isinstance(payload, str) and payload.isascii() else None
