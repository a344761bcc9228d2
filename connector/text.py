"""Vietnamese text: one canonical form for storage, one folded form for search and de-duplication."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ carry no combining mark, so NFD leaves them alone: map them by hand.
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def to_nfc(text: str) -> str:
    """Normalise keyboard output (Telex/VNI, iOS/Android send NFC or NFD) to NFC, squeeze spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Fold for matching: "Nguyễn Văn Đức", "nguyen van duc" and "NGUYEN VAN DUC" fold alike."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()
