"""Vietnamese text as one plain GSM-7 SMS.

A Vietnamese letter with its marks is outside GSM-7, and one such letter turns the whole message
into UCS-2: 70 characters a segment instead of 160, and a sign-in code split over two or three paid
messages. Brandname SMS in Vietnam is therefore sent without diacritics ("Ma dang nhap cua ban").

Vietnamese is handled by Unicode itself (NFD, then the combining marks dropped; đ/Đ, which do not
decompose, by hand). Anything else that is not GSM-7 (curly quotes, dashes, €, other scripts) goes
through text-unidecode's transliteration tables (Unidecode has the same tables but is GPL, this
project MIT), then through a last map for the ASCII characters GSM-7 lacks or keeps only in its
escaped extension table ([ ] { } \\ ^ ~ | `), so the result is in the basic charset only.
"""

from __future__ import annotations

import re
import unicodedata

from text_unidecode import unidecode

# GSM 03.38 basic character set (the escape 0x1B left out: it starts an extension character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (escape + character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
SEGMENT_SEPTETS = 160
# ASCII that GSM-7 lacks or keeps only in its extension table, to basic equivalents ("" drops it).
ASCII_TO_BASIC = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")", "\\": "/", "|": "/", "~": "-",
                                "^": "", "`": "'"})
WHITESPACE = re.compile(r"\s+")


def to_sms_text(vietnamese: str) -> str:
    """The text without diacritics (đ→d), in GSM-7's basic charset only, whitespace collapsed."""
    # The đồng sign is written "d" in plain Vietnamese text ("150.000 d"), not unidecode's "D".
    text = vietnamese.replace("đ", "d").replace("Đ", "D").replace("₫", "d")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in WHITESPACE.sub(" ", text):
        if ch in GSM7_BASIC:
            out.append(ch)
        else:
            out.append("".join(c for c in unidecode(ch).translate(ASCII_TO_BASIC) if c in GSM7_BASIC))
    # Transliteration can bring new spaces ("€" -> "EUR", "…" -> "..."), and dropping a character
    # can leave two spaces side by side: collapse once more, and never a line break.
    return WHITESPACE.sub(" ", "".join(out)).strip()


def septets(text: str) -> int | None:
    """GSM-7 length of `text` (extension characters count 2), or None when it is not GSM-7."""
    count = 0
    for ch in text:
        if ch in GSM7_BASIC:
            count += 1
        elif ch in GSM7_EXTENSION:
            count += 2
        else:
            return None
    return count


def is_single_segment(text: str) -> bool:
    """True when `text` goes as one GSM-7 SMS: GSM-7 only and at most 160 septets."""
    length = septets(text)
    return length is not None and length <= SEGMENT_SEPTETS
