"""VietQR payloads drawn as QR symbols: PNG for phones and printers, SVG for crisp posters.

Byte mode only (a QR library's mode optimisation would split the payload into numeric segments,
which some banks' scanners mishandle); error correction M on screens, Q on print; the 4-module quiet
zone is kept. Images are cached in-process by payload, and served under immutable URLs whose token
is the payload encrypted (AES-SIV: authenticated, so nobody can have the server draw a code of their
own; deterministic, so one payload keeps one URL and caches work; opaque, so the bank account and
the holder's name in the payload never appear in an access log, issue 15).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from functools import lru_cache

import qrcode
import qrcode.image.svg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
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


_PURPOSE = [b"connector.vietqr-image"]


@lru_cache(maxsize=4)
def _cipher(secret: str) -> AESSIV:
    # A key of its own for this purpose, derived from the app's secret (64 bytes: AES-256-SIV).
    return AESSIV(hashlib.sha512(b"connector.vietqr-image:" + secret.encode()).digest())


def image_token(secret: str, payload: str, level: str = "M") -> str:
    """An immutable, opaque URL part for the image of `payload`."""
    sealed = _cipher(secret).encrypt(json.dumps([payload, level]).encode(), _PURPOSE)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def read_image_token(secret: str, token: str) -> tuple[str, str] | None:
    if len(token) > 1024:
        return None
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload, level = json.loads(_cipher(secret).decrypt(sealed, _PURPOSE))
    except (InvalidTag, ValueError, TypeError):
        return None
    return (payload, level) if level in LEVELS and isinstance(payload, str) and payload.isascii() else None
