"""The registry of acquirer BINs (banks, mobile money, e-wallets), with where and when each was read.

Shipped as data/acquirers.csv and loaded into the `acquirers` table at install (migration 0007);
`flask payments acquirers sync` adds rows the file gained later. Admins disable and add on
/payments/acquirers. Household payout accounts and VietQR codes are checked against enabled rows.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from connector.audit.services import record
from connector.auth.roles import has_permission
from connector.banks.models import Acquirer, AcquirerKind
from connector.errors import PermissionDenied, ValidationFailed
from connector.extensions import db
from connector.text import to_nfc

DATA_FILE = Path(__file__).parent / "data" / "acquirers.csv"


def acquirers(include_disabled: bool = False) -> dict[str, Acquirer]:
    statement = select(Acquirer).order_by(Acquirer.kind, Acquirer.short_name)
    if not include_disabled:
        statement = statement.where(Acquirer.enabled.is_(True))
    return {acquirer.bin: acquirer for acquirer in db.session.scalars(statement)}


def find_acquirer(bin_code: str | None) -> Acquirer | None:
    """The enabled bank or wallet with this BIN, or None."""
    acquirer = db.session.get(Acquirer, (bin_code or "").strip())
    return acquirer if acquirer is not None and acquirer.enabled else None


def enabled_bins() -> frozenset[str]:
    return frozenset(db.session.scalars(select(Acquirer.bin).where(Acquirer.enabled.is_(True))))


def sync_from_file(path: Path = DATA_FILE) -> int:
    """Add the file's rows the table lacks; rows already there (and admins' changes) are kept."""
    known = set(db.session.scalars(select(Acquirer.bin)))
    added = 0
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["bin"] not in known:
                db.session.add(Acquirer(**dict(row, listed_on=date.fromisoformat(row["listed_on"])), enabled=True))
                added += 1
    db.session.flush()
    return added


def add_acquirer(user, data: dict) -> Acquirer:
    """An admin adds a bank or wallet; the source is required (where was the code read?)."""
    if not has_permission(user, "payments.manage"):
        raise PermissionDenied()
    values = {key: to_nfc(str(data.get(key) or "")) for key in ("bin", "short_name", "name_vi", "kind", "source",
                                                               "note")}
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"\d{6}", values["bin"]):
        errors["bin"] = [_("The bank code (BIN) must be exactly 6 digits.")]
    elif db.session.get(Acquirer, values["bin"]) is not None:
        errors["bin"] = [_("This code is already in the list.")]
    for key, limit in (("short_name", 40), ("name_vi", 160), ("source", 200)):
        if not values[key]:
            errors[key] = [_("Required.")]
        elif len(values[key]) > limit:
            errors[key] = [_("At most %(max)d characters.", max=limit)]
    if len(values["note"]) > 300:
        errors["note"] = [_("At most %(max)d characters.", max=300)]
    if values["kind"] not in {kind.value for kind in AcquirerKind}:
        errors["kind"] = [_("Choose bank, mobile money or e-wallet.")]
    if errors:
        raise ValidationFailed(errors=errors)
    acquirer = Acquirer(**values, listed_on=date.today(), enabled=True)
    db.session.add(acquirer)
    db.session.flush()
    record(user, "create", "acquirer", int(acquirer.bin), {"short_name": [None, acquirer.short_name]})
    return acquirer


def set_enabled(user, acquirer: Acquirer, enabled: bool) -> Acquirer:
    """Disabled codes are refused for new payout accounts and QR codes; existing data is kept."""
    if not has_permission(user, "payments.manage"):
        raise PermissionDenied()
    if acquirer.enabled != enabled:
        record(user, "enable" if enabled else "disable", "acquirer", int(acquirer.bin),
               {"enabled": [acquirer.enabled, enabled]})
        acquirer.enabled = enabled
        db.session.flush()
    return acquirer
