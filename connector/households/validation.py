"""Field rules for households: phones, names, places, postcodes, payout accounts.

Each function returns the clean value or raises marshmallow's ValidationError with a Vietnamese
message, so schemas, pages and bulk import share one set of rules.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

import phonenumbers
from flask_babel import gettext as _
from marshmallow import ValidationError

from connector.banks.registry import find_acquirer
from connector.text import to_nfc, to_nfc_paragraphs

# Mainland Vietnam with its inhabited near-shore islands (Phú Quốc, Côn Đảo, Lý Sơn, Bạch Long Vĩ).
VIETNAM_BOUNDS = {"lat": (8.0, 23.5), "lon": (102.0, 110.0)}
MAX_KM_FROM_COMMUNE = 40.0
VPOSTCODE = re.compile(r"^\d{5}[A-Z0-9]{7}$")
ACCOUNT = re.compile(r"^[0-9A-Za-z]{4,19}$")


def clean_person_name(value: str, max_length: int = 120) -> str:
    """NFC, single spaces; letters (any script's marks), spaces, dots, hyphens and apostrophes only."""
    name = to_nfc(value or "")
    if not name:
        raise ValidationError(_("Enter the name."))
    if len(name) > max_length:
        raise ValidationError(_("Must be at most %(n)s characters.", n=max_length))
    for char in name:
        category = unicodedata.category(char)
        if not (category.startswith(("L", "M")) or char in " .-'"):
            raise ValidationError(_("A name may contain only letters, spaces, dots and hyphens."))
    return name


def clean_text(value: str | None, max_length: int, paragraphs: bool = False) -> str:
    text = to_nfc_paragraphs(value or "") if paragraphs else to_nfc(value or "")
    if len(text) > max_length:
        raise ValidationError(_("Must be at most %(n)s characters.", n=max_length))
    return text


def clean_phone(value: str) -> str:
    """A Vietnamese phone in E.164: "0912 345 678", "+84 912345678", "84912345678" -> "+84912345678"."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter the phone number."))
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("84") and not digits.startswith("+"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("This is not a phone number.")) from error
    if phonenumbers.region_code_for_number(number) != "VN":
        raise ValidationError(_("Only Vietnamese phone numbers are accepted."))
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This Vietnamese phone number is not valid (10 digits, e.g. 0912 345 678)."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def display_phone(e164: str) -> str:
    """+84912345678 -> "0912 345 678", the way Vietnamese write it. Kept per process: parsing is a
    tenth of a household list's time (20 phones a page) and a number always reads the same."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "VN"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def clean_vpostcode(value: str | None) -> str | None:
    code = re.sub(r"\s", "", value or "").upper()
    if not code:
        return None
    if not VPOSTCODE.match(code):
        raise ValidationError(_("A Vpostcode has 12 characters: 5 digits, then 7 letters or digits."))
    return code


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def check_location(lat: float, lon: float, commune) -> None:
    """Inside Vietnam, and near the chosen commune (a GPS fix 200 km away is a mistake)."""
    (lat_min, lat_max), (lon_min, lon_max) = VIETNAM_BOUNDS["lat"], VIETNAM_BOUNDS["lon"]
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise ValidationError(_("This location is outside Vietnam."))
    if distance_km(lat, lon, commune.lat, commune.lon) > MAX_KM_FROM_COMMUNE:
        raise ValidationError(
            _("This location is more than %(km)s km from the commune. Check the commune or the GPS.",
              km=int(MAX_KM_FROM_COMMUNE))
        )


def clean_payout(bin_code: str | None, account: str | None, holder: str | None) -> dict:
    """All three or none; the BIN must be in the acquirer registry."""
    bin_code, account, holder = (bin_code or "").strip(), re.sub(r"\s", "", account or ""), holder or ""
    if not (bin_code or account or holder.strip()):
        return {"payout_bin": None, "payout_account": None, "payout_holder": None}
    errors = {}
    if find_acquirer(bin_code) is None:
        errors["payout_bin"] = [_("Choose a bank or mobile-money provider from the list.")]
    if not ACCOUNT.match(account):
        errors["payout_account"] = [_("The account number has 4 to 19 letters or digits.")]
    try:
        holder = clean_person_name(holder, 100)
    except ValidationError as error:
        errors["payout_holder"] = error.messages
    if errors:
        raise ValidationError(errors)
    return {"payout_bin": bin_code, "payout_account": account, "payout_holder": holder}
