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


def to_nfc_paragraphs(text: str) -> str:
    """As to_nfc, line by line: a description keeps its line breaks (Windows and old Mac endings made
    plain), at most one empty line in a row, and no spaces at either end of a line."""
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cleaned = "\n".join(_SPACES.sub(" ", line).strip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", cleaned)


def strip_marks(text: str) -> str:
    """Vietnamese without diacritics, case kept: "Đức Hòa" -> "Duc Hoa" (bank memos, QR names)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Fold for matching: "Nguyễn Văn Đức", "nguyen van duc" and "NGUYEN VAN DUC" fold alike."""
    return _SPACES.sub(" ", strip_marks(text).casefold()).strip()
