"""Pre-2025 addresses (63 provinces, with districts) to today's communes, from data/legacy_wards.csv:
every old ward with the keywords it is known by and the 2025 commune it became, derived from the
MIT-licensed `vietnamadminunits` package (derive.py). Matching folds the text our own way
(connector.text.fold: no diacritics, no case, no spaces or punctuation), so Unidecode, the GPL
library the package uses for that, is not needed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from connector.text import fold, to_nfc

DATA_FILE = Path(__file__).parent / "data" / "legacy_wards.csv"


@dataclass(frozen=True)
class LegacyWard:
    code: str
    name: str
    keys: frozenset[str]
    district: str
    district_keys: frozenset[str]
    province: str
    province_keys: frozenset[str]
    commune_2025: str


def key(text: str) -> str:
    """"Xã Hải Thượng" -> "xahaithuong": the form the keywords are kept in."""
    return re.sub(r"[^a-z0-9]", "", fold(text or ""))


@lru_cache(maxsize=1)
def wards() -> tuple[LegacyWard, ...]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return tuple(LegacyWard(row["ward_code"], row["ward"], frozenset(row["ward_keys"].split("|")),
                                row["district"], frozenset(row["district_keys"].split("|")), row["province"],
                                frozenset(row["province_keys"].split("|")), row["commune_2025"])
                     for row in csv.DictReader(handle))


@lru_cache(maxsize=1)
def _by_province_key() -> dict[str, tuple[LegacyWard, ...]]:
    index: dict[str, list[LegacyWard]] = {}
    for ward in wards():
        for province_key in ward.province_keys:
            index.setdefault(province_key, []).append(ward)
    return {province_key: tuple(found) for province_key, found in index.items()}


class NotMatched(LookupError):
    def __init__(self, level: str):
        super().__init__(level)
        self.level = level  # "province" or "commune"


def _with_types(typed: str, types: tuple[str, ...]) -> set[str]:
    """The name as typed and with each unit type before it: "2" is "Phường 2", and a town named like
    its district is known only as "Thị trấn Đầm Hà"."""
    return {typed, *(unit_type + typed for unit_type in types)}


def find_ward(commune: str, district: str | None, province: str) -> LegacyWard:
    """The old ward named by `commune` in `province` (and `district`, when given and known)."""
    typed = key(province)
    shortened = [typed[len(prefix):] for prefix in ("thanhpho", "tinh", "tp") if typed.startswith(prefix)]
    in_province = next((found for found in (_by_province_key().get(k) for k in [typed, *shortened]) if found), ())
    if not in_province:
        raise NotMatched("province")
    candidates = in_province
    if district and district.strip():
        district_keys = _with_types(key(district), ("quan", "huyen", "thixa", "thanhpho"))
        in_district = [ward for ward in in_province if district_keys & ward.district_keys]
        candidates = in_district or in_province  # a district we cannot place does not hide the commune
    commune_keys = _with_types(key(commune), ("phuong", "xa", "thitran"))
    found = [ward for ward in candidates if commune_keys & ward.keys]
    if not found:
        raise NotMatched("commune")
    if len(found) > 1:  # the same letters once the marks are gone (Sa Pa, Sa Pả): the marks decide
        typed = to_nfc(commune).casefold()
        exact = [ward for ward in found if typed in (ward.name.casefold(), ward.name.split(" ", 1)[-1].casefold())]
        found = exact or found
    return found[0]
