"""Order, its items and the money received against it (receipts, one per real payment)."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.catalogue.models import Product
from connector.db import TimestampMixin, UTCDateTime, utcnow
from connector.extensions import db
from connector.households.models import Household

# Order codes go into bank memos: capitals and digits without look-alikes (no I, L, O, U), random so
# that the public pay page /p/<code> cannot be walked through.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ORDER_CODE_PATTERN = r"DH[0-9A-HJKMNP-TV-Z]{6}"


def new_order_code() -> str:
    return "DH" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


class PayBy(StrEnum):
    """How the buyer pays."""

    MARKETPLACE = "marketplace"  # paid on the marketplace, which settles to the seller later
    COD = "cod"  # cash on delivery: the carrier collects and remits
    TRANSFER = "transfer"  # direct transfer to the household's account (VietQR)


class Fulfilment(StrEnum):
    """One status for the farmer's page, the staff pages and the reports (see orders/status.py)."""

    NEW = "new"
    CONFIRMED = "confirmed"
    READY = "ready_for_pickup"
    HANDED_IN = "handed_in"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    FAILED = "failed"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERPAID = "overpaid"


class Channel(StrEnum):
    """Where money for an order came from."""

    TRANSFER = "transfer"  # a bank notice, or a transfer staff saw
    CASH = "cash"  # staff took cash at the counter
    COD = "cod"  # the carrier remitted cash it collected on delivery
    MARKETPLACE = "marketplace"  # the marketplace's settlement


class Order(TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("marketplace", "remote_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The source: a marketplace's name (later also "counter" or "phone"), and its own order number.
    marketplace: Mapped[str] = mapped_column(String(20))
    remote_order_id: Mapped[str] = mapped_column(String(64))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(20))  # the source's own status code, as it came
    fulfilment: Mapped[str] = mapped_column(String(20), default=Fulfilment.NEW, server_default="new", index=True)
    last_event_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    total_vnd: Mapped[int] = mapped_column(BigInteger)
    pay_by: Mapped[str] = mapped_column(String(12), default=PayBy.COD, server_default="cod")
    # Buyer contact: only what delivery needs; shown to staff of the area, never logged.
    buyer_name: Mapped[str] = mapped_column(String(120), default="")
    buyer_phone: Mapped[str] = mapped_column(String(20), default="")
    buyer_address: Mapped[str] = mapped_column(Text, default="")
    exception: Mapped[str | None] = mapped_column(String(200))  # e.g. unknown product: staff must act
    # Payment: the code goes into the transfer memo and the public pay page's address.
    code: Mapped[str] = mapped_column(String(12), unique=True, default=new_order_code)
    # Money, kept by orders/money.py only: the sum of the receipts, what the carrier will still
    # collect on delivery, and what was given back.
    paid_vnd: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    cod_vnd: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refunded_vnd: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refund_due_vnd: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)
    payment_status: Mapped[str] = mapped_column(String(20), default="unpaid", server_default="unpaid")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the farmer said "packed, ready"

    items: Mapped[list[OrderItem]] = relationship(back_populates="order", cascade="all, delete-orphan")
    household: Mapped[Household | None] = relationship()
    receipts: Mapped[list[Receipt]] = relationship(back_populates="order", order_by="Receipt.id")


class OrderItem(db.Model):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    seller_sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(150), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger)

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product | None] = relationship()


class Receipt(db.Model):
    """Money really received for an order, once per outside reference (a bank notice, a COD
    remittance, a settlement): "money received" is a sum of these, never of intentions."""

    __tablename__ = "order_receipts"
    __table_args__ = (UniqueConstraint("channel", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(80))  # e.g. payment:12, cod:<shipment>, settlement:<id>
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="receipts")
