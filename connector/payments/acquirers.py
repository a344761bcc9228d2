"""The registry of acquirer BINs (banks, mobile money, e-wallets) as data, with source and date.

Read from data/acquirers.csv; the payments issue moves it into an admin-editable table. Household
payout accounts are validated against it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "acquirers.csv"


@dataclass(frozen=True)
class Acquirer:
    bin: str
    short_name: str
    name_vi: str
    kind: str  # bank | mobile_money | e_wallet
    source: str
    listed_on: str
    note: str


@cache
def acquirers() -> dict[str, Acquirer]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return {row["bin"]: Acquirer(**row) for row in csv.DictReader(handle)}


def find_acquirer(bin_code: str) -> Acquirer | None:
    return acquirers().get((bin_code or "").strip())
