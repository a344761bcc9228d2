"""Household import: the same rules as the form, checked for every row before anything is saved."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select

from connector.admin_units.models import Commune
from connector.admin_units.services import convert_legacy_address
from connector.audit.services import record
from connector.auth.roles import Role
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.households.models import Household, HouseholdStatus
from connector.households.schemas import HouseholdInputSchema
from connector.households.services import fill_household
from connector.households.validation import check_location
from connector.tables import Column, RowError, Table
from connector.text import fold

COLUMNS = [
    Column("Họ tên chủ hộ", "head_name", True, "Nguyễn Văn Đức"),
    Column("Số điện thoại", "phone", True, "0912 345 678"),
    Column("Mã xã", "commune_code", False, "19702"),
    Column("Xã cũ", "legacy_commune", False, ""),
    Column("Huyện cũ", "legacy_district", False, ""),
    Column("Tỉnh cũ", "legacy_province", False, ""),
    Column("Thôn/ấp/bản", "village", False, "Thôn Xuân Lộc"),
    Column("Địa chỉ", "address_line", False, ""),
    Column("Vĩ độ", "lat", False, ""),
    Column("Kinh độ", "lon", False, ""),
    Column("Vpostcode", "vpostcode", False, ""),
    Column("Sản phẩm chính", "main_products", False, "Gạo, tiêu"),
    Column("Mã ngân hàng (BIN)", "payout_bin", False, "970405"),
    Column("Số tài khoản", "payout_account", False, "3906205123456"),
    Column("Chủ tài khoản", "payout_holder", False, "Nguyễn Văn Đức"),
    Column("Đã đồng ý", "consent", True, "có"),
]
HEADER_FOR = {column.field: column.header for column in COLUMNS}
YES = {"có", "co", "x", "1", "yes", "true", "đồng ý", "dong y"}
NO = {"", "không", "khong", "0", "no", "false"}
_SCHEMA = HouseholdInputSchema()


@dataclass
class HouseholdPlan:
    new: list[tuple[int, dict, Commune]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _error(plan: HouseholdPlan, row: int, field_name: str, messages) -> None:
    for message in messages if isinstance(messages, list) else [messages]:
        if isinstance(message, dict):  # nested errors: flatten
            for key, inner in message.items():
                _error(plan, row, key, inner)
            continue
        plan.errors.append(RowError(row, HEADER_FOR.get(field_name, field_name), str(message)))


def plan_households(user, table: Table) -> HouseholdPlan:
    """Validate every row; nothing is written. Rows already imported (same phone, same name) are skipped."""
    plan = HouseholdPlan()
    communes = {c.code: c for c in db.session.scalars(select(Commune))}
    conversions: dict[tuple, Commune | dict] = {}
    seen_phones: dict[str, int] = {}
    candidates = []
    for index, raw in enumerate(table.rows):
        row = index + 2
        errors_before = len(plan.errors)
        # Every check runs on every row, each on the fields that passed the ones before it, so the agent
        # sees all of a row's problems in one upload instead of one per upload.
        raw = dict(raw)
        consent = fold(raw.get("consent", ""))
        if consent not in YES | NO:
            _error(plan, row, "consent", _l("Write \"có\" or \"không\"."))
        raw["consent"] = consent in YES
        for key in ("lat", "lon", "commune_code", "vpostcode"):
            raw[key] = raw.get(key) or None
        try:
            data = _SCHEMA.load(raw)
        except ValidationError as error:
            for field_name, messages in error.messages.items():
                _error(plan, row, field_name, messages)
            data = error.valid_data if isinstance(error.valid_data, dict) else {}
        commune = _commune(plan, row, data, communes, conversions)
        if commune is not None and user.role != Role.ADMIN and commune.province_code != user.province_code:
            _error(plan, row, "commune_code", _("This commune is outside your area."))
        elif commune is not None and data.get("lat") is not None and data.get("lon") is not None:
            try:
                check_location(data["lat"], data["lon"], commune)
            except ValidationError as error:
                _error(plan, row, "lat", error.messages)
        if data.get("phone") in seen_phones:
            _error(plan, row, "phone", _("Same phone number as row %(row)s.", row=seen_phones[data["phone"]]))
        elif data.get("phone"):
            seen_phones[data["phone"]] = row
        if len(plan.errors) == errors_before:
            candidates.append((row, data, commune))

    existing = _active_by_phone([data["phone"] for _, data, _ in candidates])
    for row, data, commune in candidates:
        other = existing.get(data["phone"])
        if other is None:
            plan.new.append((row, data, commune))
        elif other.name_key == fold(data["head_name"]) and other.commune_code == commune.code:
            plan.unchanged += 1  # imported before: importing the same file again adds nothing
        else:
            _error(plan, row, "phone", _("This phone number already belongs to another active household."))
    plan.errors.sort(key=lambda error: error.row)
    return plan


def _commune(plan: HouseholdPlan, row: int, data: dict, communes: dict, conversions: dict) -> Commune | None:
    """The row's commune: by its 2025 code, else converted from the old address; None, with the error
    recorded, when neither works (and nothing more to say when the schema already refused both)."""
    if data.get("commune_code"):
        commune = communes.get(data["commune_code"])
        if commune is None:
            _error(plan, row, "commune_code", _("Unknown commune code: %(code)s.", code=data["commune_code"]))
        return commune
    key = (data.get("legacy_province"), data.get("legacy_district"), data.get("legacy_commune"))
    if not (key[0] and key[2]):
        return None  # the schema has said "choose the commune, or type the old address"
    if key not in conversions:
        try:
            conversions[key] = convert_legacy_address(*key)["commune"]
        except ValidationFailed as failure:
            conversions[key] = failure.errors
    if isinstance(conversions[key], dict):
        for field_name, messages in conversions[key].items():
            _error(plan, row, f"legacy_{field_name}", messages)
        return None
    return conversions[key]


def _active_by_phone(phones: list[str]) -> dict[str, Household]:
    found = {}
    for start in range(0, len(phones), 500):
        chunk = phones[start:start + 500]
        for household in db.session.scalars(select(Household).where(
                Household.phone.in_(chunk), Household.status == HouseholdStatus.ACTIVE)):
            found[household.phone] = household
    return found


def import_households(user, plan: HouseholdPlan) -> int:
    """Write a clean plan in the current transaction; returns how many households were added."""
    households = []
    for _row, data, commune in plan.new:
        household = Household(status=HouseholdStatus.DRAFT, onboarded_by_id=user.id)
        fill_household(user, household, data, commune)
        households.append(household)
    db.session.add_all(households)
    db.session.flush()
    for household in households:
        record(user, "import", "household", household.id, {"phone": [None, household.phone]}, flush=False)
    db.session.flush()
    return len(households)
