"""VietQR payloads (NAPAS's profile of EMVCo merchant-presented QR): build, validate, decode.

Plain functions with no Flask in them, shared by the CLI, the API, the pay page and the benchmarks.
A payload is a string of fields `ID(2) LEN(2) VALUE` (see ../shared/DOMAIN.md):

    00 "01" | 01 "11" static / "12" dynamic | 38 {00 GUID, 01 {00 BIN, 01 account}, 02 service}
    53 "704" | 54 amount | 58 "VN" | 59 name | 60 city | 62 {01 bill, 05 ref, 07 terminal, 08 purpose}
    63 CRC-16/CCITT-FALSE over everything before it, "6304" included

Every problem is a `Problem(field, rule, params)`; `payments.messages` says it in the user's language.
Building refuses to produce a payload with any problem; decoding reports all the problems it finds.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Container
from dataclasses import asdict, dataclass, field

from connector.text import strip_marks

GUID = "A000000727"
SERVICES = {"account": "QRIBFTTA", "card": "QRIBFTTC"}
SERVICE_NAMES = {code: name for name, code in SERVICES.items()}
STATIC, DYNAMIC = "11", "12"
CURRENCY_VND, COUNTRY = "704", "VN"
MAX_PAYLOAD = 512
MAX_ACCOUNT = 19
MAX_SUBFIELD = 25
MAX_ADDITIONAL = 99
MAX_NAME, MAX_CITY = 25, 15
ADDITIONAL_IDS = {"bill": "01", "reference": "05", "terminal": "07", "purpose": "08"}
ADDITIONAL_NAMES = {code: name for name, code in ADDITIONAL_IDS.items()}
MANDATORY = {"00": "payload_format", "01": "initiation", "38": "merchant_account", "53": "currency",
             "58": "country", "63": "crc"}

_PRINTABLE = re.compile(r"[\x20-\x7e]*")  # EMV "ans": printable ASCII
_ACCOUNT = re.compile(r"[A-Za-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_MEMO_DROP = re.compile(r"[^A-Za-z0-9 ]+")  # what banks' apps accept in a memo
_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class Problem:
    field: str  # the request field ("bin", "amount"...) or, when decoding, the payload field ("38.01.00")
    rule: str  # a stable code; payments.messages words it
    params: dict = field(default_factory=dict)


class InvalidVietQR(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.field}: {p.rule}" for p in problems))
        self.problems = problems


@dataclass
class VietQR:
    """What a payload says. `amount` None means static: the payer types the amount."""

    bin: str
    account: str
    service: str = "account"  # account | card
    amount: int | None = None
    purpose: str | None = None
    bill: str | None = None
    reference: str | None = None
    terminal: str | None = None
    name: str | None = None
    city: str | None = None

    @property
    def initiation(self) -> str:
        return DYNAMIC if self.amount is not None else STATIC

    def as_dict(self) -> dict:
        return asdict(self)


# -- CRC and TLV ------------------------------------------------------------------------------------
def crc16(text: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), 4 uppercase hex digits.

    binascii.crc_hqx is exactly that CRC when started at 0xFFFF, and it runs in C.
    """
    return f"{binascii.crc_hqx(text.encode('ascii'), 0xFFFF):04X}"


def tlv(field_id: str, value: str) -> str:
    return f"{field_id}{len(value):02d}{value}"


def parse_tlv(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """[(id, value)] in order, and a problem rule if the text does not split cleanly into fields."""
    fields, position = [], 0
    while position < len(text):
        header = text[position:position + 4]
        if len(header) < 4 or not header.isdigit():
            return fields, "bad_header"
        length = int(header[2:])
        value = text[position + 4:position + 4 + length]
        if len(value) < length:
            return fields, "bad_length"
        fields.append((header[:2], value))
        position += 4 + length
    return fields, None


# -- building ---------------------------------------------------------------------------------------
def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = ord(char) - 48
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def parse_amount(value) -> tuple[int | None, Problem | None]:
    """A positive whole number of đồng, digits only ("150000"); None stays None (static)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, (bool, float)):
        return None, Problem("amount", "amount_digits")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None, Problem("amount", "amount_digits")
    if number <= 0:
        return None, Problem("amount", "amount_positive")
    return number, None


def _cut(text: str, room: int) -> str:
    """At most `room` characters, cut at a word boundary when there is one."""
    if len(text) <= room:
        return text
    head = text[:room + 1]
    return head.rsplit(" ", 1)[0] if " " in head else head[:room]


def memo(text: str, order_code: str | None = None, limit: int = MAX_SUBFIELD) -> str:
    """A transfer memo banks accept: no diacritics (đ -> d), letters, digits and spaces only, at
    most `limit` characters. The order code goes first, so the cap never cuts it."""
    cleaned = _SPACES.sub(" ", _MEMO_DROP.sub(" ", strip_marks(text or ""))).strip()
    if not order_code:
        return _cut(cleaned, limit)
    code = _MEMO_DROP.sub("", order_code)
    rest = _cut(_SPACES.sub(" ", cleaned.replace(code, "")).strip(), limit - len(code) - 1)
    return f"{code} {rest}" if rest and len(code) < limit else code


def problems_of(qr: VietQR, known_bins: Container[str] | None = None, max_amount: int | None = None) -> list[Problem]:
    """Every rule `qr` breaks (empty when it can be encoded)."""
    problems = []
    if not (isinstance(qr.bin, str) and len(qr.bin) == 6 and qr.bin.isdigit()):
        problems.append(Problem("bin", "bin_digits"))
    elif known_bins is not None and qr.bin not in known_bins:
        problems.append(Problem("bin", "bin_unknown", {"bin": qr.bin}))
    if qr.service not in SERVICES:
        problems.append(Problem("service", "service_unknown", {"service": qr.service}))
    account = qr.account or ""
    if not account:
        problems.append(Problem("account", "required"))
    elif len(account) > MAX_ACCOUNT:
        problems.append(Problem("account", "too_long", {"max": MAX_ACCOUNT}))
    elif qr.service == "card" and not (account.isdigit() and luhn_valid(account)):
        problems.append(Problem("account", "card_luhn"))
    elif not _ACCOUNT.fullmatch(account):
        problems.append(Problem("account", "account_chars"))
    if qr.amount is not None:
        if isinstance(qr.amount, bool) or not isinstance(qr.amount, int):
            problems.append(Problem("amount", "amount_digits"))
        elif qr.amount <= 0:
            problems.append(Problem("amount", "amount_positive"))
        elif max_amount is not None and qr.amount > max_amount:
            problems.append(Problem("amount", "amount_limit", {"max": max_amount}))
    for name, limit in (("name", MAX_NAME), ("city", MAX_CITY), *((key, MAX_SUBFIELD) for key in ADDITIONAL_IDS)):
        value = getattr(qr, name)
        if value is None or value == "":
            continue
        if not _PRINTABLE.fullmatch(value):
            problems.append(Problem(name, "chars"))
        elif len(value) > limit:
            problems.append(Problem(name, "too_long", {"max": limit}))
    if not problems:
        additional = _additional(qr)
        if len(additional) > MAX_ADDITIONAL:
            problems.append(Problem("additional", "additional_too_long", {"max": MAX_ADDITIONAL}))
        elif len(_assemble(qr, additional)) > MAX_PAYLOAD:
            problems.append(Problem("payload", "payload_too_long", {"max": MAX_PAYLOAD}))
    return problems


def _additional(qr: VietQR) -> str:
    return "".join(tlv(code, value) for name, code in ADDITIONAL_IDS.items() if (value := getattr(qr, name)))


def _assemble(qr: VietQR, additional: str) -> str:
    beneficiary = tlv("00", qr.bin) + tlv("01", qr.account)
    merchant = tlv("00", GUID) + tlv("01", beneficiary) + tlv("02", SERVICES[qr.service])
    parts = [tlv("00", "01"), tlv("01", qr.initiation), tlv("38", merchant), tlv("53", CURRENCY_VND)]
    if qr.amount is not None:
        parts.append(tlv("54", str(qr.amount)))
    parts.append(tlv("58", COUNTRY))
    if qr.name:
        parts.append(tlv("59", qr.name))
    if qr.city:
        parts.append(tlv("60", qr.city))
    if additional:
        parts.append(tlv("62", additional))
    body = "".join(parts) + "6304"
    return body + crc16(body)


def encode(qr: VietQR, known_bins: Container[str] | None = None, max_amount: int | None = None) -> str:
    """The payload for `qr`; raises InvalidVietQR listing every broken rule."""
    problems = problems_of(qr, known_bins, max_amount)
    if problems:
        raise InvalidVietQR(problems)
    return _assemble(qr, _additional(qr))


# -- decoding ---------------------------------------------------------------------------------------
@dataclass
class Decoded:
    fields: dict = field(default_factory=dict)  # what the payload says, by name (see VietQR)
    raw: dict = field(default_factory=dict)  # field id -> value, as found
    crc_valid: bool = False
    problems: list[Problem] = field(default_factory=list)
    # Worth a look but not a broken payload: e.g. a card number failing the Luhn check, which NAPAS's
    # own specification examples do (the encoder still refuses to make one).
    warnings: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def decode(payload: str, known_bins: Container[str] | None = None) -> Decoded:
    """Read a payload in any field order (00 first, 63 last as EMV requires), lowercase CRC accepted.
    Every problem found is reported, not just the first. With `known_bins`, a BIN outside the
    registry is a warning: the code can still be right (a bank our list has not caught up with)."""
    result = Decoded()
    problems = result.problems
    payload = payload.strip()
    if not payload.isascii():
        problems.append(Problem("payload", "chars"))
        return result
    if len(payload) > MAX_PAYLOAD:
        problems.append(Problem("payload", "payload_too_long", {"max": MAX_PAYLOAD}))
    top, broken = parse_tlv(payload)
    if broken:
        problems.append(Problem("payload", broken))
    raw = result.raw
    for field_id, value in top:
        if field_id in raw:
            problems.append(Problem(field_id, "duplicate"))
        raw[field_id] = value
    for field_id in MANDATORY:
        if field_id not in raw:
            problems.append(Problem(field_id, "missing"))
    if top and top[0][0] != "00":
        problems.append(Problem("00", "not_first"))
    if "63" in raw:
        if top[-1][0] != "63" or broken:
            problems.append(Problem("63", "not_last"))
        crc_at = payload.rfind("6304")
        given = raw["63"]
        result.crc_valid = (len(given) == 4 and crc_at == len(payload) - 8
                            and crc16(payload[:crc_at + 4]) == given.upper())
        if not result.crc_valid:
            problems.append(Problem("63", "crc_mismatch", {"given": given, "expected": crc16(payload[:crc_at + 4])
                                                         if crc_at >= 0 else ""}))
    _decode_fields(raw, result.fields, problems, result.warnings)
    bin_code = result.fields.get("bin")
    if known_bins is not None and bin_code and len(bin_code) == 6 and bin_code.isdigit() and bin_code not in known_bins:
        result.warnings.append(Problem("38.01.00", "bin_unknown", {"bin": bin_code}))
    return result


def _decode_fields(raw: dict, out: dict, problems: list[Problem], result_warnings: list[Problem]) -> None:
    if "00" in raw and raw["00"] != "01":
        problems.append(Problem("00", "value", {"expected": "01"}))
    initiation = raw.get("01")
    if initiation is not None and initiation not in (STATIC, DYNAMIC):
        problems.append(Problem("01", "value", {"expected": "11 / 12"}))
    out["initiation"] = {STATIC: "static", DYNAMIC: "dynamic"}.get(initiation)
    if "38" in raw:
        _decode_merchant(raw["38"], out, problems, result_warnings)
    if "53" in raw and raw["53"] != CURRENCY_VND:
        problems.append(Problem("53", "value", {"expected": CURRENCY_VND}))
    out["amount"] = None
    if "54" in raw:
        if _DIGITS.fullmatch(raw["54"]) and int(raw["54"]) > 0:
            out["amount"] = int(raw["54"])
        else:
            problems.append(Problem("54", "amount_digits"))
    if "58" in raw and raw["58"] != COUNTRY:
        problems.append(Problem("58", "value", {"expected": COUNTRY}))
    out["name"], out["city"] = raw.get("59"), raw.get("60")
    for name in ADDITIONAL_IDS:
        out[name] = None
    if "62" in raw:
        if len(raw["62"]) > MAX_ADDITIONAL:
            problems.append(Problem("62", "additional_too_long", {"max": MAX_ADDITIONAL}))
        subfields, broken = parse_tlv(raw["62"])
        if broken:
            problems.append(Problem("62", "malformed"))
        for sub_id, value in subfields:
            if sub_id in ADDITIONAL_NAMES:
                out[ADDITIONAL_NAMES[sub_id]] = value
            if len(value) > MAX_SUBFIELD:
                problems.append(Problem(f"62.{sub_id}", "too_long", {"max": MAX_SUBFIELD}))


def _decode_merchant(value: str, out: dict, problems: list[Problem], warnings: list[Problem]) -> None:
    subfields, broken = parse_tlv(value)
    if broken:
        problems.append(Problem("38", "malformed"))
    merchant = dict(subfields)
    if merchant.get("00", "").upper() != GUID:
        problems.append(Problem("38.00", "value", {"expected": GUID}))
    beneficiary, broken = parse_tlv(merchant.get("01", ""))
    if broken or "01" not in merchant:
        problems.append(Problem("38.01", "malformed"))
    beneficiary = dict(beneficiary)
    out["bin"], out["account"] = beneficiary.get("00"), beneficiary.get("01")
    if not (out["bin"] and len(out["bin"]) == 6 and out["bin"].isdigit()):
        problems.append(Problem("38.01.00", "bin_digits"))
    if not out["account"]:
        problems.append(Problem("38.01.01", "missing"))
    elif len(out["account"]) > MAX_ACCOUNT:
        problems.append(Problem("38.01.01", "too_long", {"max": MAX_ACCOUNT}))
    out["service"] = SERVICE_NAMES.get(merchant.get("02"))
    if "02" not in merchant:
        problems.append(Problem("38.02", "missing"))
    elif out["service"] is None:
        problems.append(Problem("38.02", "value", {"expected": "QRIBFTTA / QRIBFTTC"}))
    if out["service"] == "card" and out["account"] and not (out["account"].isdigit() and luhn_valid(out["account"])):
        warnings.append(Problem("38.01.01", "card_luhn"))
