"""Changes a farmer makes to a product, each applied once by its idempotency key (the change_id the
page renders, and a fresh one per change queued offline), through the catalogue's rules."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from connector.catalogue.models import Product, ProductStatus
from connector.catalogue.services import update_by_farmer
from connector.db import insert_unless_present, utcnow
from connector.errors import ValidationFailed
from connector.extensions import db
from connector.farmers.models import FarmerChange

CHANGE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_STOCK = 1_000_000


GROUPED = re.compile(r"-?\d{1,3}(\.\d{3})+")  # "1.250" is how a Vietnamese writes 1250; "2.5" is not a whole number


def _whole_number(raw: str | None, field: str, message: str) -> int:
    text = (raw or "").strip().replace(" ", "")
    if GROUPED.fullmatch(text):
        text = text.replace(".", "")
    if not re.fullmatch(r"[-+]?\d{1,9}", text):
        raise ValidationFailed(errors={field: [message]})
    return int(text)


def _first_time(change_id: str | None, household_id: int, product: Product, kind: str) -> bool:
    """Record the change's key; False when it was applied before (a replay: change nothing)."""
    change_id = (change_id or "").strip().lower()
    if not CHANGE_ID.fullmatch(change_id):
        raise ValidationFailed(errors={"change_id": [_("This page is out of date. Open it again and retry.")]})
    return insert_unless_present(db.session, FarmerChange, dict(
        change_id=change_id, household_id=household_id, product_id=product.id, kind=kind, created_at=utcnow()),
        unique=["change_id"]) is not None


def change_stock(household_id: int, product: Product, form) -> bool:
    """`stock` (the new figure) or `delta` (+1 / -1, the big buttons). False for a replayed change."""
    if form.get("delta") not in (None, ""):
        delta = _whole_number(form.get("delta"), "stock", _("The stock changes by a whole number."))
        stock = product.stock + delta
    else:
        stock = _whole_number(form.get("stock"), "stock", _("Type the stock as a whole number, e.g. 25."))
    if stock < 0:
        raise ValidationFailed(errors={"stock": [_("The stock cannot be below 0.")]})
    if stock > MAX_STOCK:
        raise ValidationFailed(errors={"stock": [_("The stock is too large.")]})
    if not _first_time(form.get("change_id"), household_id, product, "stock"):
        return False
    update_by_farmer(household_id, product, {"stock": stock})
    return True


def parse_price(raw: str | None) -> int:
    """A price in whole đồng: "1250000", "1.250.000"; never 0, never decimals."""
    text = (raw or "").strip().replace(" ", "").replace("₫", "").replace("đ", "")
    if "," in text or not text.replace(".", "").isdigit() or (
            "." in text and not re.fullmatch(r"\d{1,3}(\.\d{3})+", text)):
        raise ValidationFailed(errors={"price": [_("Type the price in whole đồng, e.g. 150000 or 150.000.")]})
    price = int(text.replace(".", ""))
    if price <= 0:
        raise ValidationFailed(errors={"price": [_("The price must be more than 0 đ.")]})
    return price


def change_price(household_id: int, product: Product, form) -> bool:
    price = parse_price(form.get("price"))
    if not _first_time(form.get("change_id"), household_id, product, "price"):
        return False
    update_by_farmer(household_id, product, {"price_vnd": price})
    return True


def set_paused(household_id: int, product: Product, paused: bool, change_id: str | None) -> bool:
    if product.status not in (ProductStatus.ACTIVE, ProductStatus.PAUSED):
        raise ValidationFailed(errors={"status": [_("This product is still being prepared at the post office.")]})
    if not _first_time(change_id, household_id, product, "pause" if paused else "resume"):
        return False
    update_by_farmer(household_id, product, {"status": ProductStatus.PAUSED if paused else ProductStatus.ACTIVE})
    return True
