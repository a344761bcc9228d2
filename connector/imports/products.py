"""Product import: rows name their household by its phone; imported products start as drafts
(photos are added afterwards on the phone)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from connector.admin_units.models import Province
from connector.audit.services import record
from connector.catalogue.choices import CATEGORIES
from connector.catalogue.models import Product, ProductStatus
from connector.catalogue.schemas import ProductInputSchema
from connector.catalogue.services import apply_product_input
from connector.extensions import db
from connector.households.models import Household, HouseholdStatus
from connector.households.services import scoped_households
from connector.households.validation import clean_phone
from connector.tables import Column, RowError, Table
from connector.text import fold

COLUMNS = [
    Column("SĐT chủ hộ", "household_phone", True, "0912 345 678"),
    Column("Tên sản phẩm", "name", True, "Gạo hữu cơ Hải Lăng"),
    Column("Danh mục", "category", True, "Gạo, ngũ cốc"),  # a category's Vietnamese name, as the import reads
    Column("Đơn vị", "unit", True, "kg"),
    Column("Giá (đồng)", "price_vnd", True, "35.000"),
    Column("Tồn kho", "stock", False, "200"),
    Column("Khối lượng (g)", "weight_grams", True, "1000"),
    Column("Mô tả", "description", False, ""),
    Column("Số sao OCOP", "ocop_stars", False, ""),
    Column("Số GCN OCOP", "ocop_certificate_no", False, ""),
    Column("Mã tỉnh cấp OCOP", "ocop_province_code", False, ""),
    Column("Ngày cấp OCOP", "ocop_issued_on", False, ""),
    Column("Ngày hết hạn OCOP", "ocop_expires_on", False, ""),
    Column("Mùa vụ/mã lô", "lot_code", False, ""),
]
HEADER_FOR = {column.field: column.header for column in COLUMNS}
OPTIONAL = ("ocop_stars", "ocop_certificate_no", "ocop_province_code", "ocop_issued_on", "ocop_expires_on")
_SCHEMA = ProductInputSchema()


@dataclass
class ProductPlan:
    new: list[tuple[int, dict, Household]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _error(plan: ProductPlan, row: int, field_name: str, messages) -> None:
    """Record a validation message, a list of them or a {field: messages} dict (a single message can
    arrive as a plain string: it is one message, not a list of letters)."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            _error(plan, row, key, inner)
    elif isinstance(messages, list | tuple):
        for message in messages:
            _error(plan, row, field_name, message)
    else:
        plan.errors.append(RowError(row, HEADER_FOR.get(field_name, field_name), str(messages)))


def category_code(text: str) -> str:
    """Accept the code or the Vietnamese name ("Mật ong" or "honey"), and the name in the staff
    member's language: the template's example is the Vietnamese name, whatever the page's language."""
    key = fold(text)
    with force_locale("vi"):
        vietnamese = {fold(str(label)): code for code, label in CATEGORIES.items()}
    for code, label in CATEGORIES.items():
        if key in (code, fold(str(label))):
            return code
    return vietnamese.get(key, text)


def plan_products(user, table: Table) -> ProductPlan:
    plan = ProductPlan()
    households = {h.phone: h for h in db.session.scalars(
        scoped_households(user).where(Household.status != HouseholdStatus.ARCHIVED))}
    provinces = {p.code for p in db.session.scalars(select(Province))}
    existing = {(p.household_id, p.name_key) for p in db.session.scalars(
        select(Product).where(Product.status != ProductStatus.ARCHIVED))}
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(table.rows):
        row = index + 2
        errors_before = len(plan.errors)
        # Every check runs on every row, so one upload shows all of a row's problems.
        raw = dict(raw)
        household = None
        try:
            household = households.get(clean_phone(raw.pop("household_phone", "")))
        except ValidationError as error:
            _error(plan, row, "household_phone", error.messages)
        else:
            if household is None:
                plan.errors.append(RowError(row, HEADER_FOR["household_phone"],
                                            _("No household in your area has this phone number.")))
        raw["category"] = category_code(raw.get("category", ""))
        for key in OPTIONAL:
            raw[key] = raw.get(key) or None
        raw["stock"] = raw.get("stock") or "0"
        try:
            data = _SCHEMA.load(raw)
        except ValidationError as error:
            _error(plan, row, "", error.messages)
            data = error.valid_data if isinstance(error.valid_data, dict) else {}
        if data.get("ocop_province_code") and data["ocop_province_code"] not in provinces:
            plan.errors.append(RowError(row, HEADER_FOR["ocop_province_code"],
                                        _("Unknown province code: %(code)s.", code=data["ocop_province_code"])))
        if household is None or not data.get("name"):
            continue
        key = (household.id, fold(data["name"]))
        if key in seen:
            plan.errors.append(RowError(row, HEADER_FOR["name"], _("Same product as row %(row)s.", row=seen[key])))
            continue
        seen[key] = row
        if len(plan.errors) > errors_before:
            continue
        if key in existing:
            plan.unchanged += 1
            continue
        data["status"] = ProductStatus.DRAFT  # on sale only once it has a photo
        plan.new.append((row, data, household))
    return plan


def import_products(user, plan: ProductPlan) -> int:
    products = []
    for _row, data, household in plan.new:
        product = Product(household_id=household.id)
        apply_product_input(product, data)
        products.append(product)
    db.session.add_all(products)
    db.session.flush()
    for product in products:
        record(user, "import", "product", product.id, {"name": [None, product.name]}, flush=False)
    db.session.flush()
    return len(products)
