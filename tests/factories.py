"""Factory functions for test data: `make_user(role="officer")` etc. Only flush, never commit."""

from __future__ import annotations

import itertools
from datetime import timedelta

from connector.auth.services import create_user, issue_token
from connector.db import utcnow
from connector.extensions import db

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_user(role: str = "agent", province_code: str | None = "44", **overrides):
    number = next(_counter)
    data = {
        "username": f"{role}{number}",
        "password": PASSWORD,
        "role": role,
        "province_code": None if role == "admin" else province_code,
        "full_name": f"Nhân viên {number}",
    }
    data.update(overrides)
    return create_user(**data)


def make_token(user, expires_in: timedelta | None = None) -> str:
    plain, token = issue_token(user)
    if expires_in is not None:
        token.expires_at = utcnow() + expires_in
        db.session.flush()
    return plain


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


HAI_LANG = "19702"  # Xã Hải Lăng, Quảng Trị (province 44)
_phones = itertools.count(1000)


def household_input(**overrides) -> dict:
    """A valid household as an agent would type it (a fresh phone number each time)."""
    data = {
        "head_name": "Nguyễn Văn Đức",
        "phone": f"0912 34{next(_phones):04d}",
        "commune_code": HAI_LANG,
        "village": "Thôn Xuân Lộc",
        "address_line": "",
        "main_products": "Gạo hữu cơ, tiêu",
        "payout_bin": "970405",
        "payout_account": "3906205123456",
        "payout_holder": "Nguyễn Văn Đức",
        "consent": True,
    }
    data.update(overrides)
    return data


def make_household(user=None, **overrides):
    from connector.households.services import create_household

    user = user or make_user("agent")
    household, _ = create_household(user, household_input(**overrides), confirm_duplicates=True)
    return household


def product_input(**overrides) -> dict:
    data = {
        "name": "Gạo hữu cơ Hải Lăng",
        "description": "Gạo sạch vụ đông xuân",
        "category": "rice_grain",
        "unit": "kg",
        "price_vnd": 35000,
        "stock": 200,
        "weight_grams": 1000,
        "lot_code": "DX-2026",
    }
    data.update(overrides)
    return data


def photo_bytes(width: int = 2400, height: int = 1800, image_format: str = "JPEG", with_gps: bool = True) -> bytes:
    """A real photo, as a phone would send it: large, with EXIF including a GPS position."""
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (120, 160, 60))
    exif = Image.Exif()
    exif[0x0110] = "Farmer Phone X"  # camera model
    if with_gps:
        exif[0x8825] = {1: "N", 2: (16.0, 41.0, 30.0), 3: "E", 4: (107.0, 12.0, 20.0)}
    out = io.BytesIO()
    image.save(out, image_format, exif=exif.tobytes() if image_format == "JPEG" else None)
    return out.getvalue()


def make_product(household, user=None, **overrides):
    from connector.catalogue.services import create_product

    return create_product(user or make_user("agent", province_code=household.province_code), household.id,
                          product_input(**overrides))


def make_listing(product, marketplace: str = "voso", state: str = "live", **overrides):
    """A listing as a finished sync leaves it (on the marketplace, nothing pending), unless overridden."""
    from connector.marketplaces.models import Listing

    on_marketplace = state not in ("draft", "queued", "submitting")
    values = dict(product_id=product.id, marketplace=marketplace, state=state, wanted=True, attempts=0,
                  remote_id=f"P{product.id}" if on_marketplace else None, remote_version=1 if on_marketplace else 0,
                  sync_pending=False)
    listing = Listing(**{**values, **overrides})
    db.session.add(listing)
    db.session.flush()
    return listing


_order_numbers = itertools.count(1)


def make_order(household=None, *, total: int | None = None, pay_by: str = "cod", quantity: int = 1,
               product=None, source: str = "postmart", status: str = "CREATED"):
    """An order taken in through the one intake, as a marketplace's would be (stock taken, signals sent)."""
    from connector.orders.models import PayBy
    from connector.orders.services import IncomingItem, IncomingOrder, take_in

    household = household or (product.household if product else make_household())
    product = product or make_product(household)
    unit = product.price_vnd if total is None else total // quantity
    return take_in(IncomingOrder(
        source=source, remote_order_id=f"T{next(_order_numbers)}", status=status, total_vnd=unit * quantity,
        pay_by=PayBy(pay_by), items=(IncomingItem(f"CN-{product.id}", product.id, quantity, unit),),
        buyer_name="Khách Hàng", buyer_phone="0987000111", buyer_address="Hà Nội"))


def make_service_point(lat: float, lon: float, code: str | None = None, capacity: int = 50, **overrides):
    """An active service point open Monday to Saturday, 07:00-17:00; the in-memory index is told."""
    from connector.logistics.models import ServicePoint
    from connector.logistics.services import bump_index_version

    number = next(_counter)
    name = overrides.pop("name", f"BĐVHX thử {number}")
    point = ServicePoint(code=code or f"SP-T{number}", name=name, kind="bdvhx", lat=lat, lon=lon,
                         opening_hours={str(day): [["07:00", "17:00"]] for day in range(6)},
                         daily_capacity=capacity, active=True, generated=False, address="Thôn 1", **overrides)
    db.session.add(point)
    db.session.flush()
    bump_index_version()
    return point


def service_point_once(code: str, lat: float, lon: float):
    """The service point `code`, made beside (lat, lon) the first time (end-to-end modules share one)."""
    from sqlalchemy import select

    from connector.logistics.models import ServicePoint

    found = db.session.scalar(select(ServicePoint).where(ServicePoint.code == code))
    return found if found is not None else make_service_point(lat, lon, code=code)
